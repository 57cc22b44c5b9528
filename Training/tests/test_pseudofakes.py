"""Pseudo-fake generators and masks, on synthetic faces (no real photos)."""

import numpy as np
import pytest

from Training.pseudofakes import blend, cross_identity_blend, nearest_partners, random_face_mask, self_blend
from Training.pseudofakes.geometry import (
    apply_transform,
    normalised_geometry,
    similarity_transform,
    template_landmarks,
    warp_affine,
)
from Training.pseudofakes.masks import face_outline, polygon_mask

LANDMARKS = template_landmarks()


def synthetic_face(seed: int) -> np.ndarray:
    """A 256×256 'face': smooth colour gradients plus texture, different per seed."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:256, 0:256] / 255.0
    base = np.stack([xs * rng.uniform(50, 200), ys * rng.uniform(50, 200), (xs + ys) * 60], axis=-1)
    texture = rng.normal(0, 12, size=(256, 256, 3))
    return np.clip(base + 40 + texture, 0, 255).astype(np.uint8)


def test_template_matches_the_swift_aligner():
    # FaceTemplate.swift: (p + 16.8) * 256 / 145.6 for the ArcFace points.
    assert LANDMARKS.shape == (5, 2)
    assert LANDMARKS[0] == pytest.approx([(38.2946 + 16.8) * 256 / 145.6, (51.6963 + 16.8) * 256 / 145.6])
    assert LANDMARKS[2, 0] == pytest.approx(128.0, abs=0.1)  # nose on the centre line


def test_outline_reaches_forehead_and_chin_beyond_the_five_points():
    outline = face_outline(LANDMARKS)
    assert outline[:, 1].min() < LANDMARKS[:2, 1].min() - 50  # well above the eyes
    assert outline[:, 1].max() > LANDMARKS[3:, 1].max() + 30  # well below the mouth
    mask = polygon_mask(outline, 256)
    assert mask[int(LANDMARKS[2, 1]), int(LANDMARKS[2, 0])] == 1.0  # nose inside
    assert mask[5, 5] == 0.0 and mask[250, 5] == 0.0  # corners outside


@pytest.mark.parametrize("seed", range(8))
def test_random_mask_is_in_range_soft_and_covers_the_face(seed):
    mask = random_face_mask(LANDMARKS, np.random.default_rng(seed), size=256)
    assert mask.shape == (256, 256) and mask.dtype == np.float32
    assert mask.min() == 0.0 and mask.max() == pytest.approx(1.0)
    assert mask[int(LANDMARKS[2, 1]), int(LANDMARKS[2, 0])] > 0.9  # nose tip blended
    assert mask[0, 0] == 0.0 and mask[255, 255] == 0.0  # crop corners untouched
    soft = ((mask > 0.05) & (mask < 0.95)).mean()
    assert soft > 0.02  # a blurred edge, not a hard cut


def test_masks_differ_between_draws_and_repeat_with_the_seed():
    a = random_face_mask(LANDMARKS, np.random.default_rng(1))
    b = random_face_mask(LANDMARKS, np.random.default_rng(1))
    c = random_face_mask(LANDMARKS, np.random.default_rng(2))
    assert np.array_equal(a, b)
    assert np.abs(a - c).mean() > 0.005


def test_mask_follows_the_landmarks():
    shifted = LANDMARKS + [40.0, 0.0]
    left = random_face_mask(LANDMARKS, np.random.default_rng(3))
    right = random_face_mask(shifted, np.random.default_rng(3))
    columns = np.arange(256)
    centre_left = (left.sum(axis=0) * columns).sum() / left.sum()
    centre_right = (right.sum(axis=0) * columns).sum() / right.sum()
    assert centre_right - centre_left == pytest.approx(40.0, abs=4.0)


def test_blend_keeps_target_where_mask_is_zero_and_source_where_one():
    source = np.full((8, 8, 3), 200, np.uint8)
    target = np.full((8, 8, 3), 10, np.uint8)
    mask = np.zeros((8, 8), np.float32)
    mask[2:4, 2:4] = 1.0
    mask[5, 5] = 0.5
    result = blend(source.astype(np.float32), target, mask)
    assert result.image.dtype == np.uint8 and result.mask is not None
    assert (result.image[0, 0] == 10).all() and (result.image[2, 2] == 200).all()
    assert (result.image[5, 5] == 105).all()


@pytest.mark.parametrize("seed", range(4))
def test_self_blend_shapes_dtype_and_changes_only_inside_the_mask(seed):
    face = synthetic_face(0)
    result = self_blend(face, LANDMARKS, np.random.default_rng(seed), altered="source")
    assert result.image.shape == face.shape and result.image.dtype == np.uint8
    assert result.mask.shape == (256, 256) and 0.0 <= result.mask.min() and result.mask.max() <= 1.0
    outside = result.mask == 0.0
    assert outside.mean() > 0.2
    assert np.array_equal(result.image[outside], face[outside])  # blend equals input where mask is 0
    inside = result.mask >= 0.5 * result.mask.max()  # the blend ratio may be as low as 0.25
    assert np.abs(result.image[inside].astype(int) - face[inside]).mean() > 0.5  # the face did change


def test_self_blend_altering_the_target_keeps_the_face_inside():
    face = synthetic_face(1)
    result = self_blend(face, LANDMARKS, np.random.default_rng(5), altered="target")
    full = result.mask == result.mask.max()
    if result.mask.max() == pytest.approx(1.0):
        assert np.abs(result.image[full].astype(int) - face[full]).max() <= 1
    assert np.abs(result.image[result.mask == 0].astype(int) - face[result.mask == 0]).mean() > 2.0


def test_self_blend_is_deterministic_with_a_seed():
    face = synthetic_face(2)
    a = self_blend(face, LANDMARKS, np.random.default_rng(7))
    b = self_blend(face, LANDMARKS, np.random.default_rng(7))
    c = self_blend(face, LANDMARKS, np.random.default_rng(8))
    assert np.array_equal(a.image, b.image) and np.array_equal(a.mask, b.mask)
    assert not np.array_equal(a.image, c.image)


def test_self_blend_rejects_an_unknown_side():
    with pytest.raises(ValueError):
        self_blend(synthetic_face(0), LANDMARKS, np.random.default_rng(0), altered="both")


def test_similarity_transform_recovers_a_known_similarity():
    angle, scale, shift = 0.2, 1.3, np.array([5.0, -7.0])
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = LANDMARKS @ rotation.T + shift
    matrix = similarity_transform(LANDMARKS, moved)
    assert apply_transform(matrix, LANDMARKS) == pytest.approx(moved, abs=1e-9)


def test_warp_affine_moves_content_by_the_matrix():
    image = np.zeros((64, 64), np.float32)
    image[20, 10] = 1.0
    moved = warp_affine(image, np.array([[1.0, 0.0, 5.0], [0.0, 1.0, 3.0]]))  # x+5, y+3
    assert np.unravel_index(np.argmax(moved), moved.shape) == (23, 15)


def test_normalised_geometry_ignores_translation_and_scale():
    a = normalised_geometry(LANDMARKS)
    b = normalised_geometry(LANDMARKS * 1.7 + [12.0, -4.0])
    assert a.shape == (1, 10) and a == pytest.approx(b)


def test_nearest_partner_is_the_closest_geometry_of_another_person():
    rng = np.random.default_rng(0)
    yaw = [0.0, 10.0, 20.0, 11.0, -15.0]  # how far the nose moves sideways, per face
    faces = np.stack([LANDMARKS + [[0, 0], [0, 0], [dx, 0], [0, 0], [0, 0]] for dx in yaw])
    faces = faces * rng.uniform(0.9, 1.1, size=(5, 1, 1)) + rng.uniform(-5, 5, size=(5, 1, 2))
    identities = np.array(["a", "b", "c", "b", "d"])
    partners = nearest_partners(faces, identities, k=2)
    assert partners.shape == (5, 2)
    assert partners[1, 0] == 2  # face 3 (yaw 11) is nearer but is the same person
    assert partners[2, 0] == 3  # yaw 20 → 11 is nearest
    assert partners[0, 0] == 1  # yaw 0 → 10 is nearest (-15 and 11 are further)
    assert partners[4, 0] == 0  # yaw -15 → 0
    for row, person in enumerate(identities):
        assert all(identities[j] != person for j in partners[row] if j >= 0)


def test_nearest_partners_marks_missing_with_minus_one():
    faces = np.stack([LANDMARKS, LANDMARKS + 1.0])
    partners = nearest_partners(faces, np.array(["x", "x"]), k=1)
    assert (partners == -1).all()
    partners = nearest_partners(faces, np.array(["x", "y"]), k=3)  # more asked than there are
    assert partners.tolist() == [[1, -1, -1], [0, -1, -1]]


def test_cross_identity_blend_keeps_target_outside_and_takes_donor_inside():
    target, donor = synthetic_face(3), synthetic_face(4)
    result = cross_identity_blend(target, LANDMARKS, donor, LANDMARKS + [2.0, -1.0], np.random.default_rng(9))
    assert result.image.shape == target.shape and result.image.dtype == np.uint8
    outside = result.mask == 0.0
    assert np.array_equal(result.image[outside], target[outside])
    inside = result.mask > 0.9
    if inside.any():
        assert np.abs(result.image[inside].astype(int) - target[inside]).mean() > 2.0
    again = cross_identity_blend(target, LANDMARKS, donor, LANDMARKS + [2.0, -1.0], np.random.default_rng(9))
    assert np.array_equal(result.image, again.image)


def test_colour_matrix_is_identity_at_rest_and_keeps_grey_grey():
    from Training.pseudofakes.image_ops import colour_matrix

    assert colour_matrix(0.0, 1.0, 1.0) == pytest.approx(np.eye(3), abs=1e-9)
    grey = np.array([100.0, 100.0, 100.0])
    assert colour_matrix(0.1, 1.2, 1.0) @ grey == pytest.approx(grey, abs=1e-6)  # no chroma to turn
    red = np.array([200.0, 50.0, 50.0])
    assert not np.allclose(colour_matrix(0.1, 1.0, 1.0) @ red, red)
    assert colour_matrix(0.0, 0.0, 1.0) @ red == pytest.approx([red @ [0.299, 0.587, 0.114]] * 3, abs=1e-6)
