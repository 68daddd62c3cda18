#!/usr/bin/env python3
"""An independent Llama forward pass in NumPy, to check the libtorch decoder's numbers.

Reads config.json and model*.safetensors (parsed by hand: 8-byte little-endian header length,
JSON header, raw little-endian data) and writes the logits for a token sequence as float32.

usage: llama_reference.py MODEL_DIR TOKENS OUT
  TOKENS  comma-separated token ids, e.g. 1,5,9
  OUT     file to write: len(TOKENS) x vocab_size float32 values, row-major
"""
import glob
import json
import math
import os
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (header_len,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + header_len])
    data = blob[8 + header_len:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = data[begin:end]
        dtype = info["dtype"]
        if dtype == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        elif dtype == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float64)
        elif dtype == "BF16":
            # bf16 is the top half of an f32.
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise SystemExit(f"{path}: tensor {name} has unsupported dtype {dtype}")
        tensors[name] = arr.astype(np.float64).reshape(info["shape"])
    return tensors


def rope_inverse_frequencies(cfg, head_dim):
    inv = 1.0 / (cfg.get("rope_theta", 10000.0) ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim))
    scaling = cfg.get("rope_scaling")
    if not scaling:
        return inv
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "linear":
        return inv / scaling["factor"]
    if kind != "llama3":
        raise SystemExit(f"unsupported rope_scaling {kind}")
    factor = scaling["factor"]
    low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
    old = scaling["original_max_position_embeddings"]
    wavelen = 2 * math.pi / inv
    scaled = np.where(wavelen > old / low, inv / factor, inv)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = (wavelen >= old / high) & (wavelen <= old / low)
    return np.where(medium, smoothed, scaled)


def rms_norm(x, w, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def logits_for(model_dir, tokens):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    weights = {}
    for path in sorted(glob.glob(os.path.join(model_dir, "model*.safetensors"))):
        weights.update(read_safetensors(path))
    hidden = cfg["hidden_size"]
    n_heads = cfg["num_attention_heads"]
    n_kv = cfg.get("num_key_value_heads", n_heads)
    head_dim = cfg.get("head_dim") or hidden // n_heads
    eps = cfg.get("rms_norm_eps", 1e-5)
    n = len(tokens)

    # Angles as Hugging Face forms them: f32 frequencies times f32 positions, in f32.
    inv = rope_inverse_frequencies(cfg, head_dim).astype(np.float32)
    angles = np.outer(np.arange(n, dtype=np.float32), inv).astype(np.float64)
    cos = np.cos(np.concatenate([angles, angles], -1))[:, None, :]  # [n, 1, D]
    sin = np.sin(np.concatenate([angles, angles], -1))[:, None, :]
    causal = np.triu(np.full((n, n), -np.inf), 1)

    x = weights["model.embed_tokens.weight"][tokens]
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        h = rms_norm(x, weights[p + "input_layernorm.weight"], eps)
        q = (h @ weights[p + "self_attn.q_proj.weight"].T).reshape(n, n_heads, head_dim)
        k = (h @ weights[p + "self_attn.k_proj.weight"].T).reshape(n, n_kv, head_dim)
        v = (h @ weights[p + "self_attn.v_proj.weight"].T).reshape(n, n_kv, head_dim)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = n_heads // n_kv
        out = np.empty((n, n_heads, head_dim))
        for head in range(n_heads):
            kv = head // group
            scores = q[:, head, :] @ k[:, kv, :].T / math.sqrt(head_dim) + causal
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            probs = scores / scores.sum(-1, keepdims=True)
            out[:, head, :] = probs @ v[:, kv, :]
        x = x + out.reshape(n, n_heads * head_dim) @ weights[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, weights[p + "post_attention_layernorm.weight"], eps)
        gate = h @ weights[p + "mlp.gate_proj.weight"].T
        up = h @ weights[p + "mlp.up_proj.weight"].T
        x = x + (gate / (1 + np.exp(-gate)) * up) @ weights[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, weights["model.norm.weight"], eps)
    # Like the decoder under test: lm_head.weight when shipped, else the tied embeddings.
    head = weights.get("lm_head.weight", weights["model.embed_tokens.weight"])
    return x @ head.T


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    model_dir, token_text, out_path = sys.argv[1:]
    tokens = [int(t) for t in token_text.split(",") if t]
    logits = logits_for(model_dir, tokens)
    logits.astype("<f4").tofile(out_path)


if __name__ == "__main__":
    main()
