"""The studio's "flared" look: black flared trousers to the floor over black shoes, whose legs are geometry (a cone per
leg from the knee to a hem 2.5 cm above the floor, studio.garments) and hang over the heel and the back of the foot
as on the real clip ballet_plie. The hem hides the heel's true point and leaves the toe's tip in view, standing and at
a demi-plié's bottom; every other look renders as before (the same mesh, the same cache keys)."""

from __future__ import annotations

import numpy as np
import pytest

from turnout.testing.studio import load_catalogue
from turnout.testing.studio.garments import GARMENTS, dress, garment_silhouette, leg_cone
from turnout.testing.studio.looks import LOOKS
from turnout.testing.studio.raster import Mesh
from turnout.testing.studio.render import SceneRenderer
from turnout.testing.studio.scenes import scene_from_dict

FLARED = {
    "fps": 12, "width": 640, "height": 360, "look": "flared", "skin": "medium", "position": "first", "feet": 60,
    "camera": {"height": 1.0, "distance": 2.8}, "script": ["stand 1", "demi 3"],
}  # fmt: skip


def test_existing_scenes_keep_their_cache_keys() -> None:
    """Keys of scenes rendered before the look was added (their folders under build/studio/ keep being used)."""
    cat = load_catalogue()
    assert cat["first45_demi"].key() == "647bdb023ac729cc"
    assert cat["parallel_demi"].key() == "a51dc3a0feed35c3"
    assert cat["barre_releve_trousers"].key() == "06b1f303d5e9e1c4"


def test_only_the_flared_look_has_garments() -> None:
    assert set(GARMENTS) == {"flared"}
    r = SceneRenderer(scene_from_dict("x", {**FLARED, "look": "trousers", "script": ["stand 1"]}))
    _, _, posed = r.frame(0)
    mesh = Mesh(posed.vertices, r.dancer.sk.faces, r.dancer.colours)
    for look in LOOKS:
        if look != "flared":
            assert dress(mesh, posed, look, 1.6) is mesh


def test_the_cone_widens_from_the_knee_to_a_level_hem_under_the_ankle() -> None:
    knee, ankle = np.array([0.1, 0.02, 0.45]), np.array([0.1, 0.0, 0.08])
    v, f = leg_cone(knee, ankle, 1.6, GARMENTS["flared"])
    hem = v[v[:, 2] < 0.03]
    assert np.allclose(hem[:, 2], 0.025)
    assert np.allclose(np.hypot(hem[:, 0] - 0.1, hem[:, 1]), 0.06 * 1.6)
    # faces wound as the body's: their normals point away from the axis
    a, b, c = (v[f[:, i]] for i in range(3))
    n = np.cross(b - a, c - a)
    mid = (a + b + c) / 3
    top, axis = knee, np.array([0.1, 0.0, 0.025]) - knee
    along = ((mid - top) @ axis / (axis @ axis))[:, None]
    radial = mid - (top + along * axis)
    assert np.all(np.einsum("ij,ij->i", n, radial) > 0)


@pytest.mark.parametrize("t_s", [0.5, 2.3])  # standing; a demi-plié's bottom (1 s + 42-58 % of 3 s)
def test_the_hem_hides_the_heel_and_shows_the_toe(t_s: float) -> None:
    scene = scene_from_dict("flared_test", FLARED)
    r = SceneRenderer(scene)
    i = round(t_s * scene.fps)
    bgr, _state, posed = r.frame(i)
    cam = r.camera
    mask = garment_silhouette(posed, "flared", r.dancer.shape.height_m, cam.project, (cam.width, cam.height))
    assert mask is not None
    grey = bgr.astype(float).mean(2)
    for side in ("left", "right"):
        hu, hv = np.round(cam.project(posed.joints[f"{side}_heel"][None])[0]).astype(int)
        tu, tv = np.round(cam.project(posed.joints[f"{side}_toe"][None])[0]).astype(int)
        assert mask[hv, hu], f"{side} heel not under the hem"
        assert not mask[tv, tu], f"{side} toe under the hem"
        assert grey[hv, hu] < 80  # black cloth where the heel is (the floor is 120-150 grey)
        # the hem a couple of centimetres above the floor: the cloth ends above the floor below the heel
        col = mask[:, hu]
        assert col[hv:].any() and not col[hv + 12 :].all()


def test_only_scenes_that_wear_garments_carry_their_revision(monkeypatch: pytest.MonkeyPatch) -> None:
    from turnout.testing.studio import scenes

    flared = scene_from_dict("f", FLARED)
    plain = scene_from_dict("f", {**FLARED, "look": "trousers"})
    before = flared.key(), plain.key(), load_catalogue()["first45_demi"].key()
    monkeypatch.setattr(scenes, "GARMENT_REVISION", "garments-test")
    after = flared.key(), plain.key(), load_catalogue()["first45_demi"].key()
    assert after[0] != before[0]  # the flared scene renders again when its garments change
    assert after[1:] == before[1:]  # no other scene does
