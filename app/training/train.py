"""Train the UNet on generated shapes, export it to ONNX, and write its model card.

One command reproduces the committed model (CPU only, about 20 minutes on 2 cores):

    python app/training/train.py --out app/segapp/model

Needs torch, onnx and onnxruntime (app/training/requirements.txt); the served
app needs none of them but onnxruntime.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from segapp import synth  # noqa: E402

TRAIN_SEED = 1
EVAL_SEED = 2  # held out: never seen in training
MEAN = (0.5, 0.5, 0.5)
STD = (0.5, 0.5, 0.5)


def block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    def __init__(self, classes: int = 3, widths: tuple[int, ...] = (12, 24, 48, 96)):
        super().__init__()
        self.down = nn.ModuleList()
        cin = 3
        for w in widths:
            self.down.append(block(cin, w))
            cin = w
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList()
        self.merge = nn.ModuleList()
        for w in reversed(widths[:-1]):
            self.up.append(nn.ConvTranspose2d(cin, w, 2, stride=2))
            self.merge.append(block(2 * w, w))
            cin = w
        self.head = nn.Conv2d(cin, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for i, down in enumerate(self.down):
            x = down(x if i == 0 else self.pool(x))
            skips.append(x)
        for up, merge, skip in zip(self.up, self.merge, reversed(skips[:-1])):
            x = merge(torch.cat([up(x), skip], dim=1))
        return self.head(x)


def to_tensor(images: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


def augment(images: np.ndarray, masks: np.ndarray, rng: np.random.Generator):
    flip = rng.random(len(images)) < 0.5
    images[flip] = images[flip, :, ::-1]
    masks[flip] = masks[flip, :, ::-1]
    return images, masks


def evaluate(session_or_model, images: np.ndarray, masks: np.ndarray) -> list[float]:
    preds = []
    for i in range(0, len(images), 50):
        x = to_tensor(images[i : i + 50])
        if isinstance(session_or_model, nn.Module):
            with torch.no_grad():
                logits = session_or_model(x).numpy()
        else:
            logits = session_or_model.run(None, {"input": x.numpy()})[0]
        preds.append(logits.argmax(axis=1))
    return synth.iou_per_class(np.concatenate(preds), masks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for unet.onnx, manifest.json, MODEL_CARD.md")
    parser.add_argument("--train-size", type=int, default=4000)
    parser.add_argument("--eval-size", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=4e-3)
    parser.add_argument("--version", default="1.0.0")
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    rng = np.random.default_rng(0)

    t0 = time.time()
    train_x, train_y = synth.batch(TRAIN_SEED, 0, args.train_size)
    eval_x, eval_y = synth.batch(EVAL_SEED, 0, args.eval_size)
    print(f"generated {len(train_x)} train / {len(eval_x)} eval samples in {time.time() - t0:.0f}s", flush=True)

    model = UNet()
    steps_per_epoch = len(train_x) // args.batch
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch)
    # The border band is thin: weight it up so the model does not ignore it.
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 1.0, 2.0]))

    for epoch in range(args.epochs):
        model.train()
        order = rng.permutation(len(train_x))
        total = 0.0
        for step in range(steps_per_epoch):
            idx = order[step * args.batch : (step + 1) * args.batch]
            x, y = augment(train_x[idx].copy(), train_y[idx].copy(), rng)
            loss = loss_fn(model(to_tensor(np.ascontiguousarray(x))), torch.from_numpy(np.ascontiguousarray(y)).long())
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        model.eval()
        ious = evaluate(model, eval_x, eval_y)
        print(
            f"epoch {epoch + 1}/{args.epochs} loss {total / steps_per_epoch:.4f} "
            f"IoU {' '.join(f'{v:.3f}' for v in ious)} mean {np.mean(ious):.3f} "
            f"({time.time() - t0:.0f}s)",
            flush=True,
        )

    args.out.mkdir(parents=True, exist_ok=True)
    onnx_path = args.out / "unet.onnx"
    model.eval()
    torch.onnx.export(
        model,
        to_tensor(eval_x[:1]),
        str(onnx_path),
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )

    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    ious = evaluate(session, eval_x, eval_y)
    digest = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
    manifest = {
        "name": "shapes-unet",
        "version": args.version,
        "file": "unet.onnx",
        "sha256": digest,
        "input": {
            "name": "input",
            "layout": "NCHW",
            "height": 128,
            "width": 128,
            "channels": "RGB",
            "dtype": "float32",
            "scale": 1 / 255,
            "mean": list(MEAN),
            "std": list(STD),
        },
        "output": {"name": "logits", "layout": "NCHW"},
        "classes": list(synth.CLASS_NAMES),
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    params = sum(p.numel() for p in model.parameters())
    size_mb = onnx_path.stat().st_size / 1e6
    rows = "\n".join(f"| {name} | {v:.3f} |" for name, v in zip(synth.CLASS_NAMES, ious))
    (args.out / "MODEL_CARD.md").write_text(
        f"""# Model card: shapes-unet {args.version}

A small UNet ({params:,} parameters, {size_mb:.1f} MB ONNX) that segments the objects in a
128x128 RGB image into a trimap: object, background and border (the outline band),
like the Oxford-IIIT Pet trimap.

## Data
Generated by `segapp/synth.py`: one or two ellipses, rotated rectangles or polygons of
random colour, size and position on gradient, striped, checkered or blotchy backgrounds
with Gaussian noise. Training: seed {TRAIN_SEED}, samples 0..{args.train_size - 1}, horizontal flips.
Held-out evaluation: seed {EVAL_SEED}, samples 0..{args.eval_size - 1}, never trained on.

## Training
`python app/training/train.py --out app/segapp/model` (PyTorch on CPU, AdamW with a
one-cycle schedule, {args.epochs} epochs of batch {args.batch}, cross-entropy with the border
class weighted 2x), exported with `torch.onnx.export` (opset 17, dynamic batch).

## Evaluation (ONNX Runtime, held-out set)
| class | IoU |
|---|---|
{rows}
| **mean** | **{np.mean(ious):.3f}** |

## Limits
Trained on synthetic shapes only: it finds flat-coloured blobs against textured
backgrounds, not pets or any real-world object class. Swap in another UNet by
editing `manifest.json` (file, input size, normalisation, class names).
"""
    )
    print(f"exported {onnx_path} ({size_mb:.2f} MB, sha256 {digest[:12]}), ONNX IoU {ious}, mean {np.mean(ious):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
