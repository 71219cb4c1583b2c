#!/usr/bin/env python3
"""PyTorch side of the classifier bench (bench/classifier.js).

PyTorch eager twins of two native classifiers, layer for layer with the shapes of
native/nn/ecgnet.{h,cpp} (the reference ECGNet: 19,040 parameters for 1 lead x 2,048
samples, 2 classes) and native/nn/resnet1d.{h,cpp} (xresnet1d-style, 2,956,578
parameters with the default options). Only timing is compared, so weights are random.

Modes, each printing one JSON object on stdout:

  params  --model ecgnet|resnet1d
      Parameter count (to check the twin against the native model).
  train   --model ecgnet|resnet1d --batch 32 --length 2048 --warmup 3 --iters 10 --threads 2
      The native trainer's step (native/train/classifier_trainer.cpp, section 8): batch
      gathered from a shuffled index, forward, cross-entropy, loss.item(), backward, Adam
      (lr 1e-3), and for ECGNet the max-norm renorm of the depthwise filters.
  predict --model ecgnet|resnet1d --count 1024 --batch 256 --warmup 1 --iters 3 --threads 2
      What Classifier.predict does natively (predictClassifier): [N, L, 1] -> [N, 1, L]
      contiguous, eval mode, inference mode, softmax, batches of 256.

Usage: python bench/classifier_torch.py train|predict|params [options]
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# --------------------------------------------------------------------------------------
# ECGNet (native/nn/ecgnet.cpp): input [B, leads, samples] -> [B, 1, leads, samples].
class ECGNet(nn.Module):
    def __init__(self, num_classes=2, leads=1, samples=2048, dropout=0.2, classifier_dropout=0.3,
                 k1=64, k2=16, f1=4, d=2, f2=16, hidden=128, max_norm=1.0):
        super().__init__()
        fd = f1 * d
        self.max_norm = max_norm
        self.depthwise = nn.Conv2d(f1, fd, (leads, 1), groups=f1, bias=False)
        self.blocks = nn.ModuleList([
            nn.Sequential(
                nn.Conv2d(1, f1, (1, k1), padding=(0, k1 // 2), bias=False),
                nn.BatchNorm2d(f1, momentum=0.01, eps=1e-3),
                self.depthwise,
                nn.BatchNorm2d(fd, momentum=0.01),
                nn.ELU(),
                nn.AvgPool2d((1, 4)),
                nn.Dropout(dropout)),
            nn.Sequential(
                nn.Conv2d(fd, fd, (1, k2), padding=(0, k2 // 2), groups=fd, bias=False),
                nn.Conv2d(fd, f2, 1, bias=False),
                nn.BatchNorm2d(f2, momentum=0.01),
                nn.Mish(),
                nn.AvgPool2d((1, 8)),
                nn.Dropout(dropout)),
            nn.Sequential(
                nn.Conv2d(f2, 2 * f2, (1, k2), padding=(0, k2 // 2), groups=fd, bias=False),
                nn.Conv2d(2 * f2, f2, 1, bias=False),
                nn.BatchNorm2d(f2, momentum=0.01),
                nn.Mish(),
                nn.AvgPool2d((1, 8)),
                nn.Dropout(dropout)),
        ])
        width = samples
        for kernel, pool in ((k1, 4), (k2, 8), (k2, 8)):
            width = (width + 2 * (kernel // 2) - kernel + 1) // pool
        self.classifierBlock = nn.Sequential(
            nn.Linear(f2 * width, hidden, bias=False),
            nn.BatchNorm1d(hidden),
            nn.Mish(),
            nn.Dropout(classifier_dropout),
            nn.Linear(hidden, num_classes, bias=False))
        self.apply_max_norm()

    @torch.no_grad()
    def apply_max_norm(self):
        self.depthwise.weight.copy_(torch.renorm(self.depthwise.weight, 2, 0, self.max_norm))

    def forward(self, x):
        x = x.unsqueeze(1)
        for block in self.blocks:
            x = block(x)
        return self.classifierBlock(x.reshape(x.shape[0], -1))


# --------------------------------------------------------------------------------------
# ResNet1d (native/nn/resnet1d.cpp).
def conv_bn(cin, cout, kernel, stride, relu, zero_bn=False):
    conv = nn.Conv1d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False)
    nn.init.kaiming_normal_(conv.weight, a=0.0, mode="fan_in", nonlinearity="relu")
    bn = nn.BatchNorm1d(cout)
    if zero_bn:
        nn.init.zeros_(bn.weight)
    return [conv, bn] + ([nn.ReLU()] if relu else [])


class ResBlock1d(nn.Module):
    def __init__(self, cin, cout, kernel, stride):
        super().__init__()
        self.convpath = nn.Sequential(*conv_bn(cin, cout, kernel, stride, True), *conv_bn(cout, cout, kernel, 1, False, True))
        idpath = [nn.AvgPool1d(stride, ceil_mode=True)] if stride != 1 else []
        if cin != cout:
            idpath += conv_bn(cin, cout, 1, 1, False)
        self.idpath = nn.Sequential(*idpath)

    def forward(self, x):
        return F.relu(self.convpath(x) + self.idpath(x))


class ConcatPool1d(nn.Module):
    def forward(self, x):
        return torch.cat([x.max(-1)[0], x.mean(-1)], 1)


class ResNet1d(nn.Module):
    def __init__(self, leads=1, num_classes=2, stem=(32, 32, 64), stem_kernel=5, stages=(64, 128, 256, 256),
                 blocks=(2, 2, 2, 2), kernel=5, head_hidden=128, dropout=0.5):
        super().__init__()
        layers, cin = [], leads
        for i, cout in enumerate(stem):
            layers += conv_bn(cin, cout, stem_kernel, 2 if i == 0 else 1, True)
            cin = cout
        self.stem = nn.Sequential(*layers, nn.MaxPool1d(3, 2, 1))
        self.stages = nn.ModuleList()
        for s, (cout, n) in enumerate(zip(stages, blocks)):
            stage = []
            for b in range(n):
                stage.append(ResBlock1d(cin, cout, kernel, 2 if s > 0 and b == 0 else 1))
                cin = cout
            self.stages.append(nn.Sequential(*stage))
        self.head = nn.Sequential(
            ConcatPool1d(), nn.BatchNorm1d(2 * cin), nn.Dropout(dropout / 2), nn.Linear(2 * cin, head_hidden), nn.ReLU(),
            nn.BatchNorm1d(head_hidden), nn.Dropout(dropout), nn.Linear(head_hidden, num_classes))

    def forward(self, x):
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x)
        return self.head(x)


def build(kind, length):
    return ECGNet(samples=length) if kind == "ecgnet" else ResNet1d()


def ecg_like(n, length, gen):
    """Segments [n, length, 1] and alternating labels (timing does not depend on the values)."""
    return torch.randn(n, length, 1, generator=gen) * 0.3, torch.arange(n) % 2


def run_train(a):
    net = build(a.model, a.length).train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    steps = a.warmup + a.iters
    x, y = ecg_like(a.batch * steps, a.length, gen)
    x = x.permute(0, 2, 1).contiguous()  # [N, 1, L], as the native trainer holds the set
    order = torch.randperm(x.shape[0], generator=gen)
    times = []
    for i in range(steps):
        start = time.perf_counter()
        index = order[i * a.batch:(i + 1) * a.batch]
        opt.zero_grad()
        loss = F.cross_entropy(net(x.index_select(0, index)), y.index_select(0, index))
        loss.item()
        loss.backward()
        opt.step()
        if a.model == "ecgnet":
            net.apply_max_norm()
        if i >= a.warmup:
            times.append(time.perf_counter() - start)
    return {"secondsPerStep": times}


def run_predict(a):
    net = build(a.model, a.length).eval()
    x, _ = ecg_like(a.count, a.length, torch.Generator().manual_seed(0))

    def predict():
        with torch.inference_mode():
            data = x.permute(0, 2, 1).contiguous()
            return torch.cat([torch.softmax(net(data[s:s + a.batch]), 1) for s in range(0, a.count, a.batch)])

    for _ in range(a.warmup):
        predict()
    times = []
    for _ in range(a.iters):
        start = time.perf_counter()
        predict()
        times.append(time.perf_counter() - start)
    return {"seconds": times, "count": a.count}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "predict", "params"])
    p.add_argument("--model", choices=["ecgnet", "resnet1d"], default="ecgnet")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--length", type=int, default=2048)
    p.add_argument("--count", type=int, default=1024)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--iters", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.mode == "params":
        out = {"parameters": sum(t.numel() for t in build(a.model, a.length).parameters())}
    else:
        out = run_train(a) if a.mode == "train" else run_predict(a)
    out.update({"torch": torch.__version__, "threads": torch.get_num_threads(), "mode": a.mode, "model": a.model, "batch": a.batch})
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
