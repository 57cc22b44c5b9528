"""ClassNSeg (Nguyen et al., BTAS 2019): the Y-shaped autoencoder, rebuilt from the authors'
public code (github.com/nii-yamagishilab/ClassNSeg, BSD-3-Clause) and checkpoints.

Module and parameter names are the authors' (`encoder.N`, `shared.N`, `segmenter.N`,
`decoder.N`: nn.Sequential indices), which are also the keys the Swift engine loads
(Sources/Detectors/ClassNSeg.swift): the importer only drops `num_batches_tracked`.

Input: 256×256 RGB scaled to [0, 1], then ImageNet mean/std. The latent (128×16×16) is read as
two halves of 64 channels; a_k = mean |half k|. The authors' class 1 is *original* (real), so
p_fake = softmax([a0, a1])[0] = sigmoid(a0 − a1). The decoders see the latent with the
non-predicted half zeroed.
"""
import torch
from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
ENCODER_CHANNELS = (8, 8, 16, 16, 32, 32, 64, 64, 128)
ENCODER_STRIDES = (1, 2, 1, 2, 1, 2, 1, 2, 1)
SHARED = ((128, 64, 1), (64, 64, 2), (64, 32, 1), (32, 32, 2))
BRANCH = ((32, 16, 1), (16, 16, 2), (16, 8, 1), (8, 8, 2))


def _up(cin: int, cout: int, stride: int) -> nn.ConvTranspose2d:
    return nn.ConvTranspose2d(cin, cout, 3, stride=stride, padding=1, output_padding=stride - 1)


def _up_blocks(spec) -> list:
    layers = []
    for cin, cout, stride in spec:
        layers += [_up(cin, cout, stride), nn.BatchNorm2d(cout), nn.ReLU(True)]
    return layers


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for cout, stride in zip(ENCODER_CHANNELS, ENCODER_STRIDES):
            layers += [nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.BatchNorm2d(cout), nn.ReLU(True)]
            cin = cout
        self.encoder = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.shared = nn.Sequential(*_up_blocks(SHARED))
        self.segmenter = nn.Sequential(*_up_blocks(BRANCH), _up(8, 2, 1), nn.Softmax(dim=1))
        self.decoder = nn.Sequential(*_up_blocks(BRANCH), _up(8, 3, 1), nn.Tanh())

    def forward(self, latent: torch.Tensor):
        shared = self.shared(latent)
        return self.segmenter(shared), self.decoder(shared)


class ClassNSeg(nn.Module):
    """Encoder + decoder with the activation classifier; returns a dict of named outputs."""

    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.decoder = Decoder()

    @staticmethod
    def activations(latent: torch.Tensor) -> torch.Tensor:
        """[N, 2]: a0, a1 = mean |latent half| (the authors' ActivationLoss read-out)."""
        halves = latent.reshape(latent.shape[0], 2, -1)
        return halves.abs().mean(dim=2)

    def forward(self, x: torch.Tensor) -> dict:
        latent = self.encoder(x)
        a = self.activations(latent)
        predicted = (a[:, 1] >= a[:, 0]).long()
        keep = torch.eye(2, dtype=latent.dtype, device=latent.device)[predicted]
        halves = latent.reshape(latent.shape[0], 2, 64, *latent.shape[2:]) * keep[:, :, None, None, None]
        mask, reconstruction = self.decoder(halves.reshape(latent.shape))
        return {"activations": a, "p_fake": torch.sigmoid(a[:, 0] - a[:, 1]), "mask": mask,
                "reconstruction": reconstruction}

    def state_dict_flat(self) -> dict:
        """Keys as the authors' two files name them (no `encoder.`/`decoder.` module prefix)."""
        return {**self.encoder.state_dict(), **self.decoder.state_dict()}

    def load_flat(self, state: dict, strict: bool = True) -> None:
        enc = {k: v for k, v in state.items() if k.startswith("encoder.")}
        dec = {k: v for k, v in state.items() if not k.startswith("encoder.")}
        self.encoder.load_state_dict(enc, strict=strict)
        self.decoder.load_state_dict(dec, strict=strict)


def to_input(images_uint8: torch.Tensor) -> torch.Tensor:
    """uint8 NHWC RGB → float NCHW, [0, 1] then ImageNet mean/std."""
    x = images_uint8.permute(0, 3, 1, 2).float() / 255
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (x - mean) / std
