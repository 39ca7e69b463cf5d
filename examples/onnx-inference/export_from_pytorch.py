"""Reference: export a PyTorch AD model for Darkroom to ONNX with icrl's input/output contract.

This is the PyTorch side of examples/onnx-inference: it writes `model.onnx` and `config.json`, which
`pnpm start --onnx model.onnx --config config.json` then runs through OrtModel / OrtAgent. It needs PyTorch
(>= 2.0, for F.scaled_dot_product_attention) and is not run by icrl's CI (no torch there).

The module is icrl's AD model (the DICP reference's TinyLlama block): context tokens [s, one-hot a, r, s'] through
one Linear, the query state through an Embedding (index x * 9 + y), pre-norm blocks with RMSNorm (eps 1e-5),
fused QKV with bias, RoPE (rotate-halves, base 10000) at positions past .. past + new_tokens, causal attention,
output projection with bias, SwiGLU without bias, no final norm, policy logits at the query token. Parameter names
are icrl's / lit-gpt's, so `model.safetensors` of an icrl checkpoint loads with load_state_dict. Note that icrl's
fused QKV rows are [q heads | k heads | v heads]; weights of the DICP reference (lit-gpt interleaves q, k, v per
head) need `w.view(H, 3, hs, C).transpose(0, 1).reshape(3 * C, C)` (and the same for the bias) first.

The contract (packages/transformer/README.md, "The input/output contract"):
  inputs   context        float32 [batch, new_tokens, F]   F = 2 * obs + actions + 1 = 10 for Darkroom
           query_state    int64   [batch]
           past_key_i     float32 [batch, n_head, past, head_size]   i = 0 .. n_layer - 1
           past_value_i   float32 [batch, n_head, past, head_size]
  outputs  action         float32 [batch, n_actions]
           present_key_i  float32 [batch, n_head, past + new_tokens, head_size]   (context tokens only)
           present_value_i
"""

import inspect
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIG = {
    "kind": "ad",
    "envId": "darkroom",
    "observationSpace": {"kind": "box", "shape": [2], "low": 0, "high": 8, "dtype": "int32"},
    "actionSpace": {"kind": "discrete", "n": 5},
    "nLayer": 2, "nEmbd": 32, "nHead": 4, "nInner": 128, "nTransit": 40,
}
N_STATES, N_ACTIONS, OBS = 81, 5, 2
CONTEXT_FEATURES = 2 * OBS + N_ACTIONS + 1


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(d)), eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope(x, pos, base=10000.0):
    """Rotate-halves RoPE of x [B, H, T, hs] at absolute positions pos [T]."""
    hs = x.shape[-1]
    angle = pos[:, None].float() * base ** (-torch.arange(0, hs, 2, dtype=torch.float32) / hs)[None, :]
    cos, sin = torch.cat([angle.cos()] * 2, -1), torch.cat([angle.sin()] * 2, -1)
    x1, x2 = x[..., : hs // 2], x[..., hs // 2 :]
    return x * cos + torch.cat([-x2, x1], -1) * sin


class Block(nn.Module):
    def __init__(self, C, H, I):
        super().__init__()
        self.H = H
        self.norm_1, self.norm_2 = RMSNorm(C), RMSNorm(C)
        self.attn = nn.Module()
        self.attn.attn, self.attn.proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.mlp = nn.Module()
        self.mlp.swiglu = nn.Module()
        self.mlp.swiglu.w1, self.mlp.swiglu.w2 = nn.Linear(C, I, bias=False), nn.Linear(C, I, bias=False)
        self.mlp.swiglu.w3 = nn.Linear(I, C, bias=False)

    def forward(self, x, pos, past_k, past_v, n_context):
        B, T, C = x.shape
        q, k, v = self.attn.attn(self.norm_1(x)).split(C, dim=-1)
        q, k, v = (t.reshape(B, T, self.H, C // self.H).transpose(1, 2) for t in (q, k, v))
        q, k = rope(q, pos), rope(k, pos)
        K, V = torch.cat([past_k, k], 2), torch.cat([past_v, v], 2)
        P = past_k.shape[2]
        mask = torch.arange(P + T)[None, :] <= pos[:, None]  # causal over [cache, new tokens]
        y = F.scaled_dot_product_attention(q, K, V, attn_mask=mask)
        x = x + self.attn.proj(y.transpose(1, 2).reshape(B, T, C))
        n = self.norm_2(x)
        x = x + self.mlp.swiglu.w3(F.silu(self.mlp.swiglu.w1(n)) * self.mlp.swiglu.w2(n))
        return x, K[:, :, : P + n_context], V[:, :, : P + n_context]  # cache the context tokens only


class AD(nn.Module):
    def __init__(self, c):
        super().__init__()
        C = c["nEmbd"]
        self.embed_context = nn.Linear(CONTEXT_FEATURES, C)
        self.embed_query_state = nn.Embedding(N_STATES, C)
        self.transformer = nn.Module()
        self.transformer.h = nn.ModuleList(Block(C, c["nHead"], c["nInner"]) for _ in range(c["nLayer"]))
        self.pred_action = nn.Linear(C, N_ACTIONS)

    def forward(self, context, query_state, *past):
        L, P = context.shape[1], past[0].shape[2]
        x = torch.cat([self.embed_context(context), self.embed_query_state(query_state)[:, None]], 1)
        pos = torch.arange(L + 1) + P
        presents = []
        for i, block in enumerate(self.transformer.h):
            x, k, v = block(x, pos, past[2 * i], past[2 * i + 1], L)
            presents += [k, v]
        return (self.pred_action(x[:, -1]), *presents)


if __name__ == "__main__":
    model = AD(CONFIG).eval()  # load your trained weights here, e.g. model.load_state_dict(...)
    n_layer, H, hs = CONFIG["nLayer"], CONFIG["nHead"], CONFIG["nEmbd"] // CONFIG["nHead"]
    past_names = [f"past_{kv}_{i}" for i in range(n_layer) for kv in ("key", "value")]
    present_names = [f"present_{kv}_{i}" for i in range(n_layer) for kv in ("key", "value")]
    # Example inputs with non-zero sizes on every dynamic axis, so tracing keeps them symbolic.
    example = (
        torch.zeros(2, 3, CONTEXT_FEATURES),
        torch.zeros(2, dtype=torch.int64),
        *[torch.zeros(2, H, 4, hs) for _ in past_names],
    )
    dynamic_axes = {"context": {0: "batch", 1: "new_tokens"}, "query_state": {0: "batch"}, "action": {0: "batch"}}
    dynamic_axes.update({name: {0: "batch", 2: "past"} for name in past_names})
    dynamic_axes.update({name: {0: "batch", 2: "total"} for name in present_names})
    # torch >= 2.5 has a dynamo exporter; this script uses the TorchScript one, which takes dynamic_axes.
    legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(
        model, example, "model.onnx", opset_version=17, **legacy,
        input_names=["context", "query_state", *past_names],
        output_names=["action", *present_names],
        dynamic_axes=dynamic_axes,
    )
    with open("config.json", "w") as f:
        json.dump(CONFIG, f, indent=2)
    print("wrote model.onnx and config.json")
