#!/usr/bin/python3
"""Training-speed benchmark (issue 6), PyTorch side: the same networks as
medai's TorchScript ones (src/training/torch/networks.cc) as torch.nn modules,
the same loss, Adam, the same shapes and threads. Data: random crops from a
random 128^3 volume (2-D: resized random image) made in the training loop,
without augmentation (cheaper than medai's loader, which augments).

    train_bench.py unet3d|resnet2d <threads> <warmup> <steps>
Prints one JSON line like bench/train_bench.cc.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block3d(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.a = nn.Conv3d(cin, cout, 3, padding=1)
        self.na = nn.InstanceNorm3d(cout, affine=True)
        self.b = nn.Conv3d(cout, cout, 3, padding=1)
        self.nb = nn.InstanceNorm3d(cout, affine=True)

    def forward(self, x):
        x = F.leaky_relu(self.na(self.a(x)), 0.01)
        return F.leaky_relu(self.nb(self.b(x)), 0.01)


class UNet3d(nn.Module):
    def __init__(self, base=8, classes=2):
        super().__init__()
        c = [base, base * 2, base * 4]
        self.e0, self.e1, self.e2 = Block3d(1, c[0]), Block3d(c[0], c[1]), Block3d(c[1], c[2])
        self.u1 = nn.ConvTranspose3d(c[2], c[1], 2, stride=2)
        self.d1 = Block3d(c[1] * 2, c[1])
        self.u0 = nn.ConvTranspose3d(c[1], c[0], 2, stride=2)
        self.d0 = Block3d(c[0] * 2, c[0])
        self.head = nn.Conv3d(c[0], classes, 1)

    def forward(self, x):
        e0 = self.e0(x)
        e1 = self.e1(F.max_pool3d(e0, 2))
        e2 = self.e2(F.max_pool3d(e1, 2))
        d = self.d1(torch.cat([self.u1(e2), e1], 1))
        d = self.d0(torch.cat([self.u0(d), e0], 1))
        return self.head(d)


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = nn.Conv2d(cin, cout, 3, stride, 1)
        self.na = nn.BatchNorm2d(cout)
        self.b = nn.Conv2d(cout, cout, 3, 1, 1)
        self.nb = nn.BatchNorm2d(cout)
        self.p = nn.Sequential(nn.Conv2d(cin, cout, 1, stride), nn.BatchNorm2d(cout)) if stride != 1 else None

    def forward(self, x):
        y = self.nb(self.b(F.relu(self.na(self.a(x)))))
        return F.relu((self.p(x) if self.p is not None else x) + y)


class ResNet2d(nn.Module):
    def __init__(self, ch=(16, 32, 64, 128)):
        super().__init__()
        self.stem = nn.Conv2d(1, ch[0], 3, 2, 1)
        self.ns = nn.BatchNorm2d(ch[0])
        self.stages = nn.Sequential(Basic(ch[0], ch[0], 1), Basic(ch[0], ch[1], 2), Basic(ch[1], ch[2], 2),
                                    Basic(ch[2], ch[3], 2))
        self.fc = nn.Linear(ch[3], 1)

    def forward(self, x):
        f = self.stages(F.relu(self.ns(self.stem(x))))
        return self.fc(f.mean((2, 3)))


def dice_ce(logits, target):
    log_p = F.log_softmax(logits, 1)
    ce = F.nll_loss(log_p, target)
    p = log_p.exp()
    onehot = F.one_hot(target, logits.shape[1]).movedim(-1, 1).to(p.dtype)
    dims = [0] + list(range(2, logits.dim()))
    inter = (p * onehot).sum(dims)
    denom = p.sum(dims) + onehot.sum(dims)
    dice = (2 * inter + 1e-5) / (denom + 1e-5)
    return ce + (1 - dice[1:].mean())


def main():
    name, threads, warmup, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    unet = name == "unet3d"
    model = UNet3d() if unet else ResNet2d()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batch = 2 if unet else 8
    g = torch.Generator().manual_seed(1)
    if unet:
        volume = torch.rand(128, 128, 128, generator=g)
        label = torch.zeros(128, 128, 128, dtype=torch.long)
        label[40:80, 40:80, 40:80] = 1
    else:
        image = torch.rand(1, 1, 512, 416, generator=g)

    def make_batch():
        if unet:
            xs, ys = [], []
            for _ in range(batch):
                o = torch.randint(0, 64, (3,), generator=g).tolist()
                xs.append(volume[o[0]:o[0] + 64, o[1]:o[1] + 64, o[2]:o[2] + 64])
                ys.append(label[o[0]:o[0] + 64, o[1]:o[1] + 64, o[2]:o[2] + 64])
            return torch.stack(xs).unsqueeze(1).contiguous(), torch.stack(ys).contiguous()
        x = F.interpolate(image, size=(256, 256), mode="bilinear", align_corners=False).expand(batch, 1, 256, 256)
        return x.contiguous(), (torch.arange(batch) % 2).float().view(batch, 1)

    def step(x, y):
        opt.zero_grad()
        logits = model(x)
        loss = dice_ce(logits, y) if unet else F.binary_cross_entropy_with_logits(logits, y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step(*make_batch())
    load = 0.0
    t0 = time.perf_counter()
    last = 0.0
    for _ in range(steps):
        l0 = time.perf_counter()
        x, y = make_batch()
        load += time.perf_counter() - l0
        last = step(x, y)
    secs = time.perf_counter() - t0
    print(json.dumps({"program": "pytorch", "model": name, "threads": threads, "steps": steps, "batch": batch,
                      "samples_per_second": round(steps * batch / secs, 4),
                      "loader_wait_fraction": round(load / secs, 4), "last_loss": round(last, 5)}))


if __name__ == "__main__":
    main()
