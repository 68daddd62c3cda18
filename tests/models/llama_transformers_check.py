#!/usr/bin/env python3
"""Cross-check with Hugging Face transformers: LlamaForCausalLM on a model directory must give the
same logits as the NumPy reference (llama_reference.py, itself checked against our libtorch
decoder by models_tests) within 1e-4, and, with --ours, the same as logits our decoder wrote.

usage: llama_transformers_check.py MODEL_DIR [--tokens 1,2,3] [--ours LOGITS.f32]
Exits 77 (skipped) when torch, transformers or numpy is not installed.
"""
import argparse
import os
import sys

SKIP = 77

try:
    import numpy as np
    import torch
    from transformers import LlamaForCausalLM
except ImportError as missing:
    print(f"skipped: {missing}")
    sys.exit(SKIP)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import llama_reference  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dir")
    parser.add_argument("--tokens", default="1,17,99,250,3,44,5,61,7,88,200,13,2,41,150,9")
    parser.add_argument("--ours", help="float32 logits [len(tokens), vocab] written by our decoder")
    args = parser.parse_args()
    tokens = [int(t) for t in args.tokens.split(",")]

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = LlamaForCausalLM.from_pretrained(args.model_dir, torch_dtype=torch.float32).to(device).eval()
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    with torch.no_grad():
        hf = model(torch.tensor([tokens], device=device)).logits[0].double().cpu().numpy()
    reference = llama_reference.logits_for(args.model_dir, tokens)
    worst = float(np.abs(hf - reference).max())
    print(f"transformers vs NumPy reference: max |diff| = {worst:.3g} over {hf.size} logits ({device})")
    ok = worst < 1e-4
    if args.ours:
        ours = np.fromfile(args.ours, dtype="<f4").reshape(hf.shape)
        worst_ours = float(np.abs(hf - ours).max())
        print(f"transformers vs our decoder: max |diff| = {worst_ours:.3g}")
        ok = ok and worst_ours < 1e-4
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
