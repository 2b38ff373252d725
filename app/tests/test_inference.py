"""Real inference on freshly generated images, scored against the generator's ground truth."""

import io

import numpy as np
import pytest
from PIL import Image

from conftest import b64, decode_mask, png_bytes
from segapp import synth

TEST_SEED = 3  # neither the training (1) nor the model card's evaluation (2) seed


def test_json_base64_masks_match_ground_truth(client):
    preds, truths = [], []
    for i in range(24):
        image, truth = synth.sample(TEST_SEED, i)
        response = client.post("/infer", json={"image": b64(png_bytes(image))})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["classes"] == ["object", "background", "border"]
        assert (body["width"], body["height"]) == (128, 128)
        assert body["inference_ms"] > 0
        preds.append(decode_mask(body))
        truths.append(truth)
    ious = synth.iou_per_class(np.stack(preds), np.stack(truths))
    assert min(ious[:2]) > 0.85, ious
    assert np.mean(ious) > 0.75, ious


@pytest.mark.parametrize("size", [(200, 150), (64, 96)])
def test_any_size_gets_a_mask_of_its_own_size(client, size):
    width, height = size
    preds, truths = [], []
    for i in range(8):
        image, truth = synth.sample(TEST_SEED, 100 + i, size=128)
        resized = np.asarray(Image.fromarray(image).resize((width, height), Image.BILINEAR))
        response = client.post("/infer", data=png_bytes(resized), content_type="image/png")
        assert response.status_code == 200
        mask = decode_mask(response.get_json())
        assert mask.shape == (height, width)
        preds.append(mask)
        truths.append(np.asarray(Image.fromarray(truth).resize((width, height), Image.NEAREST)))
    ious = synth.iou_per_class(np.stack(preds), np.stack(truths))
    assert ious[0] > 0.8 and ious[1] > 0.9, ious


def test_raw_jpeg_body_and_png_output(client):
    image, truth = synth.sample(TEST_SEED, 200)
    response = client.post("/infer?format=png", data=png_bytes(image, "JPEG"), content_type="image/jpeg")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["X-Model-Version"]
    mask = np.asarray(Image.open(io.BytesIO(response.data)))
    assert mask.shape == truth.shape
    assert set(np.unique(mask)) <= {0, 1, 2}
    assert synth.iou_per_class(mask, truth)[1] > 0.9


def test_seed_client_nested_list(client):
    image, truth = synth.sample(TEST_SEED, 300, size=48)
    response = client.post("/infer", json={"image": image.tolist()})
    assert response.status_code == 200
    output = np.asarray(response.get_json()["segmentation_output"])
    assert output.shape == (48, 48)
    assert synth.iou_per_class(output, truth)[1] > 0.85
