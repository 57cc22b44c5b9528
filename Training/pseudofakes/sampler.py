"""Training batches from real crops: each real face comes with a pseudo-fake made from it in
the same batch (as SBI trains), so the only difference a model can learn within a pair is
the blending. Framework-free (numpy), so any trainer can wrap it.

Each sample's randomness is seeded by (seed, epoch, index): data-loader workers may run in
any order or number and still produce the same batches, and an epoch can be replayed.
"""

from dataclasses import dataclass

import numpy as np

from .augment import random_robustness
from .blend import BlendResult
from .cross_identity import cross_identity_blend, nearest_partners
from .sbi import self_blend

KINDS = ("real", "sbi", "cross")


@dataclass(frozen=True)
class Batch:
    """`images` B×H×W×3 uint8, `labels` B float32 (1 = fake), `masks` B×H×W float32 (all 0
    for real faces), `kinds` B str from KINDS. Rows alternate real, fake, real, fake …"""

    images: np.ndarray
    labels: np.ndarray
    masks: np.ndarray
    kinds: np.ndarray


class PseudoFakeSampler:
    """Real/pseudo-fake pairs from arrays of aligned crops (a cache FaceSet or the same fields).

    cross_fraction: share of fakes made by cross-identity blending (the rest are SBI);
    robustness: probability of each robustness augmentation, applied alike to real and fake
    so that degradation says nothing about the label; partners: how many nearest-geometry
    donors a cross-identity blend picks from.
    """

    def __init__(self, images, landmarks, identities, seed: int, cross_fraction: float = 0.3,
                 robustness: float = 0.3, partners: int = 20):
        if not 0.0 <= cross_fraction <= 1.0 or not 0.0 <= robustness <= 1.0:
            raise ValueError("cross_fraction and robustness must be in [0, 1]")
        self.images, self.landmarks = images, np.asarray(landmarks)
        self.seed, self.cross_fraction, self.robustness = seed, cross_fraction, robustness
        # Pairing needs the geometry of every face; done once (≈ 15 s for 20,000 faces).
        self.partners = nearest_partners(self.landmarks, identities, k=partners) if cross_fraction > 0 else None

    @classmethod
    def from_faces(cls, faces, seed: int, **options) -> "PseudoFakeSampler":
        """From a cache split (Training.data.cache.load_split)."""
        return cls(faces.images, faces.landmarks, faces.identities, seed, **options)

    def __len__(self) -> int:
        return len(self.images)

    def pair(self, index: int, epoch: int) -> tuple[np.ndarray, BlendResult, str]:
        """(real image, pseudo-fake, kind of fake) for face `index` in `epoch`."""
        rng = np.random.default_rng([self.seed, epoch, index])
        real, landmarks = self.images[index], self.landmarks[index]
        donor = self._donor(index, rng)
        if donor is None:
            fake, kind = self_blend(real, landmarks, rng), "sbi"
        else:
            fake = cross_identity_blend(real, landmarks, self.images[donor], self.landmarks[donor], rng)
            kind = "cross"
        flip = rng.random() < 0.5  # mirror real and fake alike: faces have no preferred side
        real_out = random_robustness(real[:, ::-1] if flip else real, rng, self.robustness)
        fake_image = fake.image[:, ::-1] if flip else fake.image
        fake_mask = fake.mask[:, ::-1] if flip else fake.mask
        fake_out = random_robustness(np.ascontiguousarray(fake_image), rng, self.robustness)
        return np.ascontiguousarray(real_out), BlendResult(fake_out, np.ascontiguousarray(fake_mask)), kind

    def batch(self, indices, epoch: int) -> Batch:
        """2·len(indices) samples: each index's real crop followed by its pseudo-fake."""
        images, labels, masks, kinds = [], [], [], []
        for index in indices:
            real, fake, kind = self.pair(int(index), epoch)
            images += [real, fake.image]
            labels += [0.0, 1.0]
            masks += [np.zeros(fake.mask.shape, np.float32), fake.mask]
            kinds += ["real", kind]
        return Batch(np.stack(images), np.array(labels, np.float32), np.stack(masks), np.array(kinds))

    def _donor(self, index: int, rng: np.random.Generator) -> int | None:
        if self.partners is None or rng.random() >= self.cross_fraction:
            return None
        choices = self.partners[index][self.partners[index] >= 0]
        return int(rng.choice(choices)) if len(choices) else None
