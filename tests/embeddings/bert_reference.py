#!/usr/bin/env python3
"""An independent BERT sentence-embedding pass in NumPy, to check the libtorch encoder's numbers.

Reads config.json, model*.safetensors (parsed by hand: 8-byte little-endian header length, JSON
header, raw little-endian data) and the sentence-transformers files (modules.json,
1_Pooling/config.json), runs each token sequence on its own (no padding) in float64, pools and
normalises as configured, and writes the vectors as float32.

usage: bert_reference.py MODEL_DIR SEQUENCES OUT
  SEQUENCES  token-id sequences separated by ';', ids by ',', e.g. 2,5,9,3;2,7,3
  OUT        file to write: len(SEQUENCES) x hidden_size float32 values, row-major
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
        if info["dtype"] == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        elif info["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif info["dtype"] == "F16":
            arr = np.frombuffer(raw, dtype="<f2")
        else:
            raise SystemExit(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        tensors[name] = arr.astype(np.float64).reshape(info["shape"])
    return tensors


def layout(model_dir):
    pooling, normalize, transformer = "mean_tokens", False, model_dir
    modules_path = os.path.join(model_dir, "modules.json")
    if os.path.exists(modules_path):
        with open(modules_path) as f:
            modules = json.load(f)
        for m in modules:
            kind = m["type"].rsplit(".", 1)[-1]
            if kind == "Transformer":
                transformer = os.path.join(model_dir, m.get("path", ""))
            elif kind == "Pooling":
                with open(os.path.join(model_dir, m["path"], "config.json")) as f:
                    cfg = json.load(f)
                chosen = [k[len("pooling_mode_"):] for k, v in cfg.items() if k.startswith("pooling_mode_") and v is True]
                if len(chosen) != 1:
                    raise SystemExit(f"expected one pooling mode, got {chosen}")
                pooling = chosen[0]
            elif kind == "Normalize":
                normalize = True
    return pooling, normalize, transformer


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def gelu(x, act):
    if act == "gelu":
        erf = np.vectorize(math.erf)
        return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def encode(cfg, w, ids):
    n, h = len(ids), cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    d = h // heads
    eps = cfg.get("layer_norm_eps", 1e-12)
    act = cfg.get("hidden_act", "gelu")
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] \
        + w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)

    def dense(name, v):
        return v @ w[name + ".weight"].T + w[name + ".bias"]

    for l in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        q = dense(p + "attention.self.query", x).reshape(n, heads, d).transpose(1, 0, 2)
        k = dense(p + "attention.self.key", x).reshape(n, heads, d).transpose(1, 0, 2)
        v = dense(p + "attention.self.value", x).reshape(n, heads, d).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        context = (probs @ v).transpose(1, 0, 2).reshape(n, h)
        x = layer_norm(dense(p + "attention.output.dense", context) + x,
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
        inner = gelu(dense(p + "intermediate.dense", x), act)
        x = layer_norm(dense(p + "output.dense", inner) + x,
                       w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
    return x


def main():
    model_dir, sequences_text, out = sys.argv[1:4]
    pooling, normalize, transformer = layout(model_dir)
    with open(os.path.join(transformer, "config.json")) as f:
        cfg = json.load(f)
    weights = {}
    for path in sorted(glob.glob(os.path.join(transformer, "model*.safetensors"))):
        weights.update(read_safetensors(path))
    if "embeddings.word_embeddings.weight" not in weights:
        weights = {k[len("bert."):]: v for k, v in weights.items() if k.startswith("bert.")}
    rows = []
    for text in sequences_text.split(";"):
        ids = [int(t) for t in text.split(",")]
        states = encode(cfg, weights, ids)
        if pooling == "cls_token":
            v = states[0]
        elif pooling == "mean_tokens":
            v = states.mean(0)
        elif pooling == "max_tokens":
            v = states.max(0)
        elif pooling == "mean_sqrt_len_tokens":
            v = states.sum(0) / math.sqrt(len(ids))
        else:
            raise SystemExit(f"unsupported pooling {pooling}")
        if normalize:
            v = v / max(np.linalg.norm(v), 1e-12)
        rows.append(v)
    np.asarray(rows, dtype="<f4").tofile(out)


if __name__ == "__main__":
    main()
