#!/usr/bin/env python3
"""A plain PyTorch eager decoder with a KV cache: the independent reference the engine is checked and measured against.

It reads a Hugging Face folder (config.json, model.safetensors or shards with model.safetensors.index.json) and an
optional PEFT LoRA adapter (adapter_config.json, adapter_model.safetensors) with nothing but torch and the standard
library, and follows the semantics of HF transformers' Llama/Mistral/Qwen2 forward (RMSNorm in float32, rotate-half
rotary embeddings with the default/linear/llama3 frequencies, grouped-query attention, causal and sliding-window
masks, SwiGLU, tied embeddings) and of PEFT's LoRA (check_target_module_exists: a string target_modules is a
full-match regular expression, a list matches by exact name or '.'-suffix, layers_to_transform/layers_pattern;
rank_pattern/alpha_pattern; default lora_alpha 8; use_rslora). It shares no code with the engine.

Prints one JSON object: {"token_ids": [[...] per row], "logprobs": [[...] per row]} (greedy decoding, an EOS that ends
a row included), plus timings when asked. With --serve it answers parity jobs from stdin; with --bench it is the
PyTorch side of `bench engine`: the checkpoint in its own dtype, timing jobs (decode at batch B, with one LoRA adapter
a row, prefill, greedy ids, peak RSS) answered from stdin.
"""
import argparse
import json
import math
import os
import re
import struct
import sys
import time

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}
PROJECTIONS = {"q_proj": "self_attn", "k_proj": "self_attn", "v_proj": "self_attn", "o_proj": "self_attn",
               "gate_proj": "mlp", "up_proj": "mlp", "down_proj": "mlp"}


def read_safetensors(path):
    """Each tensor read on its own (not the whole file at once): a 1 GB checkpoint peaks at its size, not twice it."""
    out = {}
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            begin, end = entry["data_offsets"]
            dtype = DTYPES[entry["dtype"]]
            if end > begin:
                f.seek(8 + length + begin)
                t = torch.frombuffer(bytearray(f.read(end - begin)), dtype=dtype)
            else:
                t = torch.zeros(0, dtype=dtype)
            out[name] = t.reshape(entry["shape"])
    return out


def read_checkpoint(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    tensors = {}
    if os.path.exists(index):
        with open(index) as f:
            for shard in sorted(set(json.load(f)["weight_map"].values())):
                tensors.update(read_safetensors(os.path.join(folder, shard)))
    else:
        for name in sorted(os.listdir(folder)):
            if name.endswith(".safetensors"):
                tensors.update(read_safetensors(os.path.join(folder, name)))
    return tensors


def inverse_frequencies(cfg, head_dim):
    """HF's modeling_rope_utils for rope types default, linear and llama3 (float32 throughout, as there)."""
    scaling = cfg.get("rope_parameters") or cfg.get("rope_scaling") or {}
    theta = scaling.get("rope_theta", cfg.get("rope_theta", 10000.0))
    kind = scaling.get("rope_type", scaling.get("type", "default"))
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    if kind == "default":
        return inv
    if kind == "linear":
        return inv / scaling["factor"]
    if kind == "llama3":
        factor = scaling["factor"]
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling.get("original_max_position_embeddings", cfg.get("max_position_embeddings"))
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > old / low, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < old / high) * ~(wavelen > old / low)
        return torch.where(medium, smoothed, scaled)
    raise SystemExit("rope type %r is not implemented in the reference" % kind)


def sliding_layers(cfg, layers):
    """Which layers attend through a sliding window (HF: Mistral every layer, Qwen2 from max_window_layers on)."""
    if cfg.get("layer_types"):
        return [t == "sliding_attention" for t in cfg["layer_types"]]
    window = cfg.get("sliding_window")
    kind = cfg["model_type"]
    if window is None or kind == "llama":
        return [False] * layers
    if kind == "qwen2":
        if not cfg.get("use_sliding_window", False):
            return [False] * layers
        first = cfg.get("max_window_layers", 28)
        return [i >= first for i in range(layers)]
    return [True] * layers


class Lora:
    """A PEFT adapter as PEFT applies it: only modules its config targets, each with its own scale."""

    def __init__(self, folder, layers, compute):
        with open(os.path.join(folder, "adapter_config.json")) as f:
            self.cfg = json.load(f)
        tensors = read_safetensors(os.path.join(folder, "adapter_model.safetensors"))
        self.modules = {}
        names = ["model.embed_tokens", "model.norm", "lm_head"]
        for layer in range(layers):
            base = "model.layers.%d" % layer
            names += [base, base + ".self_attn", base + ".mlp", base + ".input_layernorm",
                      base + ".post_attention_layernorm", base + ".mlp.act_fn"]
            names += ["%s.%s.%s" % (base, block, proj) for proj, block in PROJECTIONS.items()]
        for key in names:
            if not self.targets(key):
                continue
            a = tensors.get("base_model.model.%s.lora_A.weight" % key)
            b = tensors.get("base_model.model.%s.lora_B.weight" % key)
            if a is None or b is None:
                continue  # PEFT would start this module from B = 0: no change
            rank = self.pattern("rank_pattern", key, self.cfg.get("r", 8))
            alpha = self.pattern("alpha_pattern", key, self.cfg.get("lora_alpha", 8))
            scale = alpha / math.sqrt(rank) if self.cfg.get("use_rslora", False) else alpha / rank
            self.modules[key] = (a.to(compute), b.to(compute), scale)

    def targets(self, key):
        target = self.cfg.get("target_modules")
        if isinstance(target, str):
            if target.lower() == "all-linear":
                return key.rsplit(".", 1)[-1] in PROJECTIONS
            return re.fullmatch(target, key) is not None
        if key in target:
            return True
        if not any(key.endswith("." + t) for t in target):
            return False
        layers = self.cfg.get("layers_to_transform")
        if layers is None or layers == []:
            return True
        pattern = self.cfg.get("layers_pattern")
        if not pattern:
            found = re.match(r".*\.[^.]*\.(\d+)\.", key)
        else:
            found = None
            for p in [pattern] if isinstance(pattern, str) else pattern:
                found = re.match(r".*\.%s\.(\d+)\." % p, key)
                if found:
                    break
        if found is None:
            return False
        index = int(found.group(1))
        return index == layers if isinstance(layers, int) else index in layers

    def pattern(self, field, key, default):
        for k, v in (self.cfg.get(field) or {}).items():
            if re.match(r"(.*\.)?(%s)$" % k, key):
                return v
        return default

    def delta(self, key, x):
        m = self.modules.get(key)
        if m is None:
            return None
        a, b, scale = m
        return (x @ a.t()) @ b.t() * scale


class MultiLora:
    """One PEFT adapter a batch row (row i gets adapters[i]), as a multi-adapter server batches them: A and B of every
    module stacked over the adapters, the delta of all rows in two batched matmuls (x_i A_i^T B_i^T scale_i)."""

    def __init__(self, adapters):
        keys = set(adapters[0].modules)
        if any(set(a.modules) != keys for a in adapters):
            raise ValueError("the adapters of one batch must adapt the same modules")
        self.modules = {}
        for key in keys:
            a = torch.stack([ad.modules[key][0] for ad in adapters])          # [n, r, in]
            b = torch.stack([ad.modules[key][1] for ad in adapters])          # [n, out, r]
            scale = torch.tensor([ad.modules[key][2] for ad in adapters], dtype=a.dtype).view(-1, 1, 1)
            self.modules[key] = (a.transpose(1, 2).contiguous(), b.transpose(1, 2).contiguous(), scale)

    def delta(self, key, x):
        m = self.modules.get(key)
        if m is None:
            return None
        a_t, b_t, scale = m
        return torch.bmm(torch.bmm(x, a_t), b_t) * scale


class Decoder:
    def __init__(self, folder, adapter, compute):
        with open(os.path.join(folder, "config.json")) as f:
            cfg = json.load(f)
        self.cfg = cfg
        w = read_checkpoint(folder)
        self.compute = compute
        self.w = {k: (v.to(compute) if compute is not None else v) for k, v in w.items()}
        self.d = cfg["hidden_size"]
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg.get("num_key_value_heads", self.heads)
        self.hd = cfg.get("head_dim") or self.d // self.heads
        self.layers = cfg["num_hidden_layers"]
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.tied = cfg.get("tie_word_embeddings", False)
        self.window = cfg.get("sliding_window")
        self.sliding = sliding_layers(cfg, self.layers)
        self.inv_freq = inverse_frequencies(cfg, self.hd)
        eos = cfg.get("eos_token_id")
        self.eos = set(eos if isinstance(eos, list) else ([] if eos is None else [eos]))
        dtype = next(iter(self.w.values())).dtype
        self.lora = Lora(adapter, self.layers, dtype) if adapter else None

    def norm(self, x, weight):
        dtype = x.dtype
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return weight * h.to(dtype)

    def proj(self, key, x):
        y = torch.nn.functional.linear(x, self.w[key + ".weight"], self.w.get(key + ".bias"))
        if self.lora is not None:
            delta = self.lora.delta(key, x)
            if delta is not None:
                y = y + delta
        return y

    @staticmethod
    def rotate_half(x):
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), dim=-1)

    def forward(self, ids, start, cache):
        """ids [B, T] at positions start..start+T-1; cache: per layer [keys, values] of [B, kv, S, hd], grown here."""
        b, t = ids.shape
        x = self.w["model.embed_tokens.weight"][ids]
        positions = torch.arange(start, start + t, dtype=torch.float32)
        freqs = positions[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        total = start + t
        q_pos = torch.arange(start, total)[:, None]
        k_pos = torch.arange(0, total)[None, :]
        causal = k_pos <= q_pos
        windowed = causal & (k_pos > q_pos - self.window) if self.window else causal
        group = self.heads // self.kv_heads
        for layer in range(self.layers):
            p = "model.layers.%d." % layer
            h = self.norm(x, self.w[p + "input_layernorm.weight"])
            q = self.proj(p + "self_attn.q_proj", h).view(b, t, self.heads, self.hd).transpose(1, 2)
            k = self.proj(p + "self_attn.k_proj", h).view(b, t, self.kv_heads, self.hd).transpose(1, 2)
            v = self.proj(p + "self_attn.v_proj", h).view(b, t, self.kv_heads, self.hd).transpose(1, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            if cache[layer] is None:
                cache[layer] = [k, v]
            else:
                cache[layer] = [torch.cat((cache[layer][0], k), dim=2), torch.cat((cache[layer][1], v), dim=2)]
            keys = cache[layer][0].repeat_interleave(group, dim=1)
            values = cache[layer][1].repeat_interleave(group, dim=1)
            scores = (q @ keys.transpose(2, 3)) * (self.hd ** -0.5)
            allowed = windowed if self.sliding[layer] else causal
            scores = scores.masked_fill(~allowed, float("-inf"))
            probs = torch.softmax(scores.float(), dim=-1).to(q.dtype)
            att = (probs @ values).transpose(1, 2).reshape(b, t, self.heads * self.hd)
            x = x + self.proj(p + "self_attn.o_proj", att)
            h = self.norm(x, self.w[p + "post_attention_layernorm.weight"])
            gate = self.proj(p + "mlp.gate_proj", h)
            up = self.proj(p + "mlp.up_proj", h)
            x = x + self.proj(p + "mlp.down_proj", torch.nn.functional.silu(gate) * up)
        x = self.norm(x, self.w["model.norm.weight"])
        head = self.w["model.embed_tokens.weight"] if self.tied else self.w["lm_head.weight"]
        return (x[:, -1:, :] @ head.t()).float()[:, -1, :]

    def greedy(self, prompts, max_tokens):
        """Greedy decoding of rows that share a prompt length; returns ids and log-probs per row."""
        ids = torch.tensor(prompts, dtype=torch.long)
        cache = [None] * self.layers
        logits = self.forward(ids, 0, cache)
        start = ids.shape[1]
        rows = len(prompts)
        out = [[] for _ in range(rows)]
        logps = [[] for _ in range(rows)]
        done = [False] * rows
        for _ in range(max_tokens):
            logp = torch.log_softmax(logits, dim=-1)
            best = torch.argmax(logp, dim=-1)
            for r in range(rows):
                if not done[r]:
                    out[r].append(int(best[r]))
                    logps[r].append(float(logp[r, best[r]]))
                    done[r] = int(best[r]) in self.eos
            if all(done) or len(out[0]) == max_tokens:
                break
            logits = self.forward(best[:, None], start, cache)
            start += 1
        return out, logps


def serve():
    """One JSON job a line on stdin ({"model", "adapter", "prompt_ids": [[...]], "max_tokens"}), one answer a line:
    a test suite pays torch's import once instead of once a case."""
    for line in sys.stdin:
        job = json.loads(line)
        try:
            dec = Decoder(job["model"], job.get("adapter"), torch.float32)
            ids, logps = dec.greedy(job["prompt_ids"], job["max_tokens"])
            answer = {"token_ids": ids, "logprobs": logps}
        except Exception as e:  # the caller reports it with the job that failed
            answer = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def bench_prompts(rows, length, vocab):
    """The engine bench's decode prompts (EngineBench.prompts): row r, position i -> 1 + (97 r + 13 i) mod (vocab - 1)."""
    return [[1 + (r * 97 + i * 13) % (vocab - 1) for i in range(length)] for r in range(rows)]


def peak_rss_mb():
    import resource
    status = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            status[key] = value.strip()
    vmhwm = int(status.get("VmHWM", "0 kB").split()[0]) // 1024
    # ru_maxrss too, though a child started by fork and exec inherits its parent's figure (Linux keeps it over
    # both): VmHWM is this process's own peak.
    return {"vmhwm_mb": vmhwm, "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


class Bench:
    """Timing jobs for `bench engine` on one decoder kept in the checkpoint's own dtype (what a user runs for speed).
    Each phase is one job, so that the caller can interleave them with the engine's and load changes hit both."""

    def __init__(self, dec):
        self.dec = dec
        self.vocab = dec.cfg["vocab_size"]
        self.adapters = {}

    def lora_for(self, folders):
        if not folders:
            return None
        key = tuple(folders)
        if key not in self.adapters:
            dtype = next(iter(self.dec.w.values())).dtype
            self.adapters[key] = MultiLora([Lora(f, self.dec.layers, dtype) for f in folders])
        return self.adapters[key]

    def decode(self, rows, tokens, adapters):
        """Tokens/s while all rows decode together, prefill and the first token excluded (as the engine bench times
        it); greedy argmax, no EOS stop, so every row decodes `tokens` tokens."""
        self.dec.lora = self.lora_for(adapters)
        try:
            ids = torch.tensor(bench_prompts(rows, 16, self.vocab), dtype=torch.long)
            cache = [None] * self.dec.layers
            best = torch.argmax(self.dec.forward(ids, 0, cache), dim=-1)
            start = ids.shape[1]
            began = time.perf_counter()
            for _ in range(tokens - 1):
                best = torch.argmax(self.dec.forward(best[:, None], start, cache), dim=-1)
                start += 1
            seconds = time.perf_counter() - began
        finally:
            self.dec.lora = None
        return {"tokens_per_s": rows * (tokens - 1) / seconds, "seconds": seconds}

    def prefill(self, tokens):
        """Tokens/s of one prompt's forward pass and its first token (EngineBench.prefillRate's prompt)."""
        ids = torch.tensor([[1 + (i * 31) % (self.vocab - 1) for i in range(tokens)]], dtype=torch.long)
        began = time.perf_counter()
        torch.argmax(self.dec.forward(ids, 0, [None] * self.dec.layers), dim=-1)
        seconds = time.perf_counter() - began
        return {"tokens_per_s": tokens / seconds, "seconds": seconds}

    def greedy(self, prompt, max_tokens, compare):
        """Greedy ids and log-probs of one row, and the log-prob this decoder gives the caller's id at each step
        (compare[i]; the prefixes agree up to the first difference, so there the gap between the two is exact)."""
        ids = torch.tensor([prompt], dtype=torch.long)
        cache = [None] * self.dec.layers
        logits = self.dec.forward(ids, 0, cache)
        start = ids.shape[1]
        out, logps, other = [], [], []
        for step in range(max_tokens):
            logp = torch.log_softmax(logits, dim=-1)[0]
            best = int(torch.argmax(logp))
            out.append(best)
            logps.append(float(logp[best]))
            if step < len(compare):
                other.append(float(logp[compare[step]]))
            if best in self.dec.eos or step + 1 == max_tokens:
                break
            logits = self.dec.forward(torch.tensor([[best]], dtype=torch.long), start, cache)
            start += 1
        return {"token_ids": out, "logprobs": logps, "compare_logprobs": other}

    def info(self):
        config = torch.__config__.show()
        blas = [part.split("=", 1)[1] for part in config.replace(",", " ").split() if part.startswith("BLAS_INFO=")]
        return {"torch": torch.__version__, "threads": torch.get_num_threads(),
                "dtype": str(next(iter(self.dec.w.values())).dtype).replace("torch.", ""),
                "blas_info": blas[0] if blas else "unknown", "python": sys.version.split()[0]}


def bench_serve(model, compute):
    """`--bench`: load the model once (compute None: in its stored dtype), then answer timing jobs from stdin, one
    JSON a line."""
    dec = Decoder(model, None, compute)
    bench = Bench(dec)
    # One small matmul so that the BLAS is loaded (and shows in /proc/<pid>/maps) before the caller looks.
    torch.randn(64, 64) @ torch.randn(64, 64)
    sys.stdout.write(json.dumps({"ready": True, **bench.info()}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        job = json.loads(line)
        op = job["op"]
        try:
            if op == "decode":
                answer = bench.decode(job["rows"], job["tokens"], job.get("adapters"))
            elif op == "prefill":
                answer = bench.prefill(job["tokens"])
            elif op == "greedy":
                answer = bench.greedy(job["prompt_ids"], job["max_tokens"], job.get("compare_ids", []))
            elif op == "rss":
                answer = peak_rss_mb()
            elif op == "info":
                answer = bench.info()
            else:
                answer = {"error": "unknown op %r" % op}
        except Exception as e:  # the caller reports it with the job that failed
            answer = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model")
    ap.add_argument("--adapter")
    ap.add_argument("--serve", action="store_true", help="answer JSON jobs from stdin, one a line")
    ap.add_argument("--bench", action="store_true",
                    help="with --model: keep the checkpoint's dtype and answer timing jobs from stdin (bench engine)")
    ap.add_argument("--prompt-ids", help="comma-separated ids; rows separated by ';'")
    ap.add_argument("--max-tokens", type=int, default=16)
    ap.add_argument("--dtype", choices=["f32", "stored"], default="f32",
                    help="f32: compute in float32 (parity); stored: keep the checkpoint's dtype (speed)")
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.set_grad_enabled(False)
    if a.serve:
        serve()
        return
    if a.bench:
        bench_serve(a.model, torch.float32 if a.dtype == "f32" else None)
        return
    if not a.model or not a.prompt_ids:
        ap.error("--model and --prompt-ids are required (or --serve)")
    prompts = [[int(x) for x in row.split(",")] for row in a.prompt_ids.split(";")]
    dec = Decoder(a.model, a.adapter, torch.float32 if a.dtype == "f32" else None)
    began = time.perf_counter()
    ids, logps = dec.greedy(prompts, a.max_tokens)
    json.dump({"token_ids": ids, "logprobs": logps, "seconds": time.perf_counter() - began,
               "torch": torch.__version__}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
