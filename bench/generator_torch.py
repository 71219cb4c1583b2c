#!/usr/bin/env python3
"""PyTorch side of the generator bench (bench/generator.js).

A self-contained PyTorch reproduction of the reference U-Net (`ECGunetChannels` of
shuangyinli/ECG-DiReNet, generator/model/ECGLDM.py) with the layer shapes of
native/nn/seed_unet.{h,cpp}: resolution 2048, 1 lead, kernel 5, 1000 diffusion steps,
86,281,170 parameters. Only timing is compared, so the weights are random.

Two modes, each printing one JSON object on stdout:

  train  --batch 32 --length 2048 --warmup 3 --iters 5 --threads 2
      The reference training step (train_ECGLDM.py `train()`): forward_diffuse at a
      random t, forward, MSE against the noise, backward, Adam step (lr 5e-5).
  sample --batch 1 --steps 50 --warmup 2 --threads 2
      `steps` iterations of the reference's per-step Python loop
      (generate.py `generation_from_net_epsilon`: 1000-step DDPM, posterior mean +
      posterior log-variance noise, clamp) from t = 999 downward.

Usage: python bench/generator_torch.py train|sample [options]
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# --------------------------------------------------------------------------------------
# The reference network, module for module (same names, so a state_dict would match).
class SelfAttention(nn.Module):
    def __init__(self, vector_size, dim, hidden_dim=16, num_heads=4):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.to_qkv = nn.Conv1d(dim, 3 * hidden_dim, 1, bias=False)
        self.to_out = nn.Conv1d(hidden_dim, dim, 1)
        self.attention = nn.MultiheadAttention(vector_size, num_heads=num_heads, batch_first=True)
        self.normalization = nn.LayerNorm(vector_size)

    def forward(self, x):
        qkv = self.to_qkv(self.normalization(x))
        q = qkv[:, : self.hidden_dim, :]
        k = qkv[:, self.hidden_dim: 2 * self.hidden_dim, :]
        v = qkv[:, 2 * self.hidden_dim:, :]
        h, _ = self.attention(q, k, v)
        return self.to_out(h) + x


class TimeEmbedding(nn.Module):
    def __init__(self, dim, number_of_diffusions, n_channels=1, dim_embed=64, dim_latent=128):
        super().__init__()
        self.number_of_diffusions = number_of_diffusions
        self.dim_embed = dim_embed
        self.fc1 = nn.Linear(dim_embed, dim_latent)
        self.fc2 = nn.Linear(dim_latent, dim)
        self.out_conv = nn.Conv1d(1, n_channels, 1)
        self.embeddings = nn.Parameter(self.embed_table(), requires_grad=False)

    def embed_table(self):
        t = torch.arange(self.number_of_diffusions) + 1
        half_dim = self.dim_embed // 2
        emb = torch.exp(torch.arange(half_dim) * -(10.0 / (half_dim - 1)))
        emb = t[:, None] * emb[None, :]
        return torch.cat((emb.sin(), emb.cos()), dim=-1)

    def forward(self, t):
        out = self.fc2(F.mish(self.fc1(self.embeddings[t, :])))
        return self.out_conv(out.unsqueeze(1))


class DownsamplingBlock(nn.Module):
    def __init__(self, in_channels, out_channels, dim, number_of_diffusions, kernel_size=5, n_heads=4, hidden_dim=16):
        super().__init__()
        cut = (in_channels + out_channels) // 2 + 1
        self.time_emb = TimeEmbedding(dim, number_of_diffusions, n_channels=in_channels)
        self.conv1 = nn.Conv1d(in_channels, cut, kernel_size, padding="same")
        self.conv2 = nn.Conv1d(cut, cut, 1, padding="same")
        self.conv3 = nn.Conv1d(cut, out_channels, kernel_size, padding="same")
        self.down = nn.Conv1d(out_channels, out_channels, 3, 2, padding=1)
        self.layer_norm1 = nn.LayerNorm([cut, dim])
        self.layer_norm2 = nn.LayerNorm([out_channels, dim])
        self.res_conv = nn.Conv1d(in_channels, out_channels, 1) if in_channels != out_channels else nn.Identity()
        self.attention = SelfAttention(dim, cut, hidden_dim=hidden_dim, num_heads=n_heads)
        self.attention2 = SelfAttention(dim, out_channels, hidden_dim=hidden_dim, num_heads=n_heads)

    def forward(self, x, t):
        x = x + self.time_emb(t)
        shortcut = self.conv2(F.mish(self.layer_norm1(self.conv1(x))))
        shortcut = self.attention(shortcut)
        h = self.layer_norm2(self.conv3(shortcut))
        return h, F.mish(self.down(h))


class UpsamplingBlock(nn.Module):
    def __init__(self, n_inputs, n_outputs, dim, number_of_diffusions, kernel_size=5, n_heads=4, hidden_dim=16):
        super().__init__()
        n_shortcut = (n_inputs + n_outputs) // 2
        self.pre_shortcut_convs = nn.Conv1d(n_inputs * 2, n_shortcut, kernel_size, padding="same")
        self.shortcut_convs = nn.Conv1d(n_shortcut, n_shortcut, kernel_size, padding="same")
        self.post_shortcut_convs = nn.Conv1d(n_shortcut, n_outputs, kernel_size, padding="same")
        self.up = nn.ConvTranspose1d(n_inputs, n_inputs, kernel_size=4, stride=2, padding=1)
        self.layer_norm1 = nn.LayerNorm(2 * dim)
        self.layer_norm2 = nn.LayerNorm(2 * dim)
        self.res_conv = nn.Conv1d(2 * n_inputs, n_outputs, 1) if n_inputs != n_outputs else nn.Identity()
        self.attention = SelfAttention(2 * dim, n_shortcut, hidden_dim=hidden_dim, num_heads=n_heads)
        self.attention2 = SelfAttention(2 * dim, n_outputs, hidden_dim=hidden_dim, num_heads=n_heads)
        self.time_emb = TimeEmbedding(2 * dim, number_of_diffusions, n_channels=n_inputs)

    def forward(self, x, h, t):
        x = self.up(x)
        initial_x = x
        x = x + self.time_emb(t)
        if h is None:
            h = x
        shortcut = self.pre_shortcut_convs(torch.cat([x, h], dim=1))
        shortcut = self.shortcut_convs(F.mish(self.layer_norm1(shortcut)))
        shortcut = self.attention(shortcut)
        out = F.mish(self.layer_norm2(self.post_shortcut_convs(shortcut)))
        return out + self.res_conv(torch.cat([initial_x, h], dim=1))


class ECGunetChannels(nn.Module):
    """The reference's 3-level configuration (the only one its forward() runs)."""

    def __init__(self, number_of_diffusions=1000, kernel_size=5, n_channels=1, resolution=2048):
        super().__init__()
        n, res, T, k = n_channels, resolution, number_of_diffusions, kernel_size
        self.downsampling_blocks = nn.ModuleList([
            DownsamplingBlock(n, 2 * n, res, T, k + 2, n_heads=8, hidden_dim=8),
            DownsamplingBlock(2 * n, 4 * n, res // 2, T, k),
        ])
        self.upsampling_blocks = nn.ModuleList([
            UpsamplingBlock(4 * n, 2 * n, res // 4, T, k),
            UpsamplingBlock(2 * n, n, res // 2, T, k, n_heads=8),
        ])
        self.time_emb = TimeEmbedding(res // 4, T, n_channels=4 * n)
        self.bottleneck_conv1 = nn.Conv1d(4 * n, 4 * n, kernel_size=3, padding="same")
        self.bottleneck_conv2 = nn.Conv1d(4 * n, 4 * n, kernel_size=3, padding="same")
        self.attention_block = SelfAttention(res // 4, 4 * n, hidden_dim=32)
        self.bottleneck_layer_norm1 = nn.LayerNorm(res // 4)
        self.bottleneck_layer_norm2 = nn.LayerNorm(res // 4)
        self.output_conv = nn.Sequential(nn.Conv1d(n, n, 3, padding="same"), nn.Mish(), nn.Conv1d(n, n, 1, padding="same"))

    def forward(self, x, t, label):
        x = x + torch.broadcast_to(label.unsqueeze(1), x.shape)
        shortcuts = []
        out = x
        for block in self.downsampling_blocks:
            h, out = block(out, t)
            shortcuts.append(h)
        del shortcuts[-1]
        old_out = out
        out = self.bottleneck_conv1(out + self.time_emb(t))
        out = F.mish(self.bottleneck_layer_norm1(out))
        out = self.bottleneck_conv2(self.attention_block(out))
        out = F.mish(self.bottleneck_layer_norm2(out)) + old_out / math.sqrt(2)
        out = self.upsampling_blocks[0](out, None, t)
        for idx, block in enumerate(self.upsampling_blocks[1:]):
            out = block(out, shortcuts[-1 - idx], t)
        return self.output_conv(out)


# --------------------------------------------------------------------------------------
# The reference diffusion arithmetic (linear betas 1e-4..0.02, T = 1000).
class Diffusion:
    def __init__(self, T=1000, n_channels=1):
        self.T = T
        self.n_channels = n_channels
        self.betta = torch.linspace(1e-4, 0.02, T)
        self.alpha = 1 - self.betta
        self.alpha_cumprod = torch.cumprod(self.alpha, dim=0)
        self.alpha_cumprod_sqrt = torch.sqrt(self.alpha_cumprod)
        self.alpha_cumprod_sqrt_recip = 1 / torch.sqrt(self.alpha_cumprod)
        self.alpha_cumprod_sqrt_recip_minus_one = torch.sqrt(1 / self.alpha_cumprod - 1)
        self.one_minus_alpha_cumprod = 1 - self.alpha_cumprod
        self.one_minus_alpha_cumprod_sqrt = torch.sqrt(self.one_minus_alpha_cumprod)
        prev = np.append(1.0, self.alpha_cumprod.numpy()[:-1])
        var = self.betta.numpy() * (1.0 - prev) / (1.0 - self.alpha_cumprod.numpy())
        self.posterior_log_variance_clipped = torch.tensor(np.log(np.maximum(var, 1e-20)), dtype=torch.float32)

    def _rep(self, v, x):  # the reference's repeat(L, C, 1).transpose(0, 2) broadcasting
        return v.repeat(x.shape[-1], self.n_channels, 1).transpose(0, 2)

    def forward_diffuse(self, x0, t):
        noise = torch.normal(0, 1, size=[t.shape[0], self.n_channels, x0.shape[-1]])
        return self._rep(self.alpha_cumprod_sqrt[t], x0) * x0 + self._rep(self.one_minus_alpha_cumprod_sqrt[t], x0) * noise, noise

    def predict_start_from_noise(self, x_t, t, noise):
        c_xt = self.alpha_cumprod_sqrt_recip[t].repeat(x_t.shape[2], 1).transpose(0, 1).unsqueeze(1)
        c_n = self.alpha_cumprod_sqrt_recip_minus_one[t].repeat(x_t.shape[2], 1).transpose(0, 1).unsqueeze(1)
        return c_xt * x_t - c_n * noise

    def mean_posterior(self, x0, t, xt):
        a = self._rep(self.alpha_cumprod_sqrt[t - 1], x0)
        b = self._rep(torch.sqrt(self.alpha[t]), x0)
        c = self._rep(self.one_minus_alpha_cumprod[t - 1], x0)
        d = self._rep(self.one_minus_alpha_cumprod[t], x0)
        beta = self._rep(self.betta[t], x0)
        return (a * beta * x0 + b * c * xt) / d

    def sample_step(self, net, xi, i, label):
        """One step of generate.py generation_from_net_epsilon (without tqdm)."""
        n = xi.shape[0]
        t = i * torch.ones(n, dtype=torch.long)
        noise1 = torch.randn(n, xi.shape[2]).unsqueeze(1)
        labels = torch.zeros(n) + label
        eps = net(xi, t, labels.unsqueeze(1))
        x0 = self.predict_start_from_noise(xi, t, eps)
        mu = self.mean_posterior(x0, t, xi)
        nonzero = torch.reshape(1 - (t == 0).to(torch.float32), [n] + [1] * (xi.dim() - 1))
        logvar = torch.gather(self.posterior_log_variance_clipped, 0, t).reshape([n] + [1] * (xi.dim() - 1))
        return (mu + nonzero * torch.exp(0.5 * logvar) * noise1).clamp(min=-1.0, max=1.0)


def count_params(net):
    total = sum(p.numel() for p in net.parameters())
    trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
    return total, trainable


def run_train(a):
    net = ECGunetChannels(1000, kernel_size=5, n_channels=1, resolution=a.length)
    diff = Diffusion(1000, 1)
    opt = torch.optim.Adam(net.parameters(), lr=5e-5)
    loss_fn = nn.MSELoss()
    gen = torch.Generator().manual_seed(0)
    ecg = torch.randn(a.batch, 1, a.length, generator=gen) * 0.3
    label = torch.randint(0, 2, (a.batch, 1), generator=gen).float()
    net.train()
    times = []
    for i in range(a.warmup + a.iters):
        start = time.perf_counter()
        opt.zero_grad()
        t = torch.randint(1, diff.T - 1, size=(a.batch,))
        xt, noise = diff.forward_diffuse(ecg, t)
        loss = loss_fn(net(xt, t, label), noise)
        loss.item()
        loss.backward()
        opt.step()
        if i >= a.warmup:
            times.append(time.perf_counter() - start)
    return {"secondsPerStep": times}


@torch.no_grad()
def run_sample(a):
    net = ECGunetChannels(1000, kernel_size=5, n_channels=1, resolution=a.length).eval()
    diff = Diffusion(1000, 1)
    xi = torch.randn(a.batch, a.length).unsqueeze(1)
    i = diff.T - 1
    for _ in range(a.warmup):  # warm-up steps (not timed) from the top of the chain
        xi = diff.sample_step(net, xi, i, 0)
        i -= 1
    start = time.perf_counter()
    for _ in range(a.steps):
        xi = diff.sample_step(net, xi, i, 0)
        i -= 1
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "steps": a.steps, "secondsPerStep": seconds / a.steps}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "sample", "params"])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--length", type=int, default=2048)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.mode == "params":
        total, trainable = count_params(ECGunetChannels(1000, 5, 1, a.length))
        out = {"parameters": total, "trainable": trainable}
    else:
        out = run_train(a) if a.mode == "train" else run_sample(a)
    out.update({"torch": torch.__version__, "threads": torch.get_num_threads(), "mode": a.mode, "batch": a.batch})
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
