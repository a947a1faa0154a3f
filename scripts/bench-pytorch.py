#!/usr/bin/env python3
"""PyTorch eager baseline for `tessera bench --random SHAPE` (issue 14).

Samples whole images from a randomly initialised Hugging Face ImageGPT of one of
OpenAI's shapes (small: 76.7M parameters, medium, large), token by token with the
KV cache (`past_key_values`), as `tessera bench` does, and prints one JSON object
per batch size: tokens/s counts every sampled token of every image in the batch
(batch x tokens / seconds), the same way `tessera bench` counts them.

Needs torch and transformers (any version with ImageGPTForCausalImageModeling);
it is not part of `make test`. Run it beside `tessera bench` on the same cores:

    taskset -c 0,1 tessera bench --random small --precision f16
    taskset -c 0,1 python3 scripts/bench-pytorch.py --threads 2
"""

import argparse
import json
import sys
import time

# OpenAI's ImageGPT shapes: n_embd, n_layer, n_head (512 colour clusters + SOS).
SHAPES = {"small": (512, 24, 8), "medium": (1024, 36, 8), "large": (1536, 48, 16)}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shape", default="small", choices=sorted(SHAPES))
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: PyTorch's default)")
    p.add_argument("--batch", default="1,8", help="comma-separated batch sizes")
    p.add_argument("--tokens", type=int, default=0, help="time only the first N tokens of each image (0: all 1024)")
    p.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    import torch
    import transformers
    from transformers import ImageGPTConfig, ImageGPTForCausalImageModeling

    if args.threads:
        torch.set_num_threads(args.threads)
    embd, layers, heads = SHAPES[args.shape]
    config = ImageGPTConfig(vocab_size=513, n_positions=1024, n_embd=embd, n_layer=layers, n_head=heads)
    torch.manual_seed(args.seed)
    model = ImageGPTForCausalImageModeling(config).eval().to(getattr(torch, args.dtype))
    params = sum(t.numel() for t in model.parameters())
    steps = config.n_positions if args.tokens <= 0 else min(args.tokens, config.n_positions)
    sos = config.vocab_size - 1

    with torch.inference_mode():
        for batch in (int(b) for b in args.batch.split(",")):
            ids = torch.full((batch, 1), sos, dtype=torch.long)
            past = None
            start = time.perf_counter()
            for _ in range(steps):
                out = model(input_ids=ids, past_key_values=past, use_cache=True)
                past = out.past_key_values
                probs = torch.softmax(out.logits[:, -1, :].float(), dim=-1)
                ids = torch.multinomial(probs, 1)
            seconds = time.perf_counter() - start
            print(json.dumps({
                "implementation": "transformers ImageGPTForCausalImageModeling, eager",
                "torch": torch.__version__,
                "transformers": transformers.__version__,
                "shape": args.shape,
                "params": params,
                "dtype": args.dtype,
                "threads": torch.get_num_threads(),
                "batch": batch,
                "tokens_timed": steps,
                "seconds": round(seconds, 3),
                "tokens_per_s": round(batch * steps / seconds, 2),
            }), flush=True)


if __name__ == "__main__":
    sys.exit(main())
