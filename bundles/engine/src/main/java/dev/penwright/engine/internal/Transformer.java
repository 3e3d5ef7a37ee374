package dev.penwright.engine.internal;

import java.io.IOException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.penwright.engine.ModelConfig;

/**
 * The Llama/Mistral/Qwen2 decoder on DJL NDArrays, engine-neutral (no PyTorch-specific calls), so that it runs on any
 * DJL engine and under a gradient collector. Each layer runs in its own {@link NDScope}, which frees its
 * temporaries as soon as the layer is done: memory stays bounded by one layer's activations plus the KV cache.
 *
 * <p>Rotary embeddings use HF's rotate-half convention, applied as {@code x·cos + (x·R)·sin} with a constant
 * [headDim, headDim] matrix R, on the fused q/k/v heads at once (v heads get cos 1, sin 0, and the q heads carry
 * the 1/sqrt(headDim) attention scale), which saves a dozen operations a layer.
 */
public final class Transformer implements AutoCloseable {
    private final ModelConfig config;
    private final NDManager manager;
    private final NDArray embed;
    private final NDArray lmHead;
    private final NDArray finalNorm;
    private final LayerWeights[] layers;
    private final NDArray rotateHalf;
    private final float[] invFreq;

    public Transformer(ModelConfig config, NDManager manager, NDArray embed, NDArray lmHead, NDArray finalNorm,
                       LayerWeights[] layers) {
        this.config = config;
        this.manager = manager;
        this.embed = embed;
        this.lmHead = lmHead;
        this.finalNorm = finalNorm;
        this.layers = layers;
        int hd = config.headDim();
        int half = hd / 2;
        float[] r = new float[hd * hd];
        for (int j = 0; j < half; j++) {
            r[(j + half) * hd + j] = -1f; // out[j] = -x[j + half]
            r[j * hd + (j + half)] = 1f;  // out[j + half] = x[j]
        }
        this.rotateHalf = manager.create(r, new Shape(hd, hd));
        // As HF computes it: in float32, base^(2i/d).
        this.invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / hd;
            invFreq[i] = (float) (1.0 / (float) Math.pow(config.ropeTheta(), exponent));
        }
    }

    /** Loads HF tensor names, fusing q/k/v and gate/up as it goes. */
    public static Transformer load(ModelConfig c, Checkpoint ck, NDManager manager) throws IOException {
        long d = c.hiddenSize();
        NDArray embed = ck.load(manager, "model.embed_tokens.weight", c.vocabSize(), d);
        NDArray lmHead;
        if (c.tieWordEmbeddings() && !ck.has("lm_head.weight")) {
            lmHead = embed;
        } else {
            lmHead = ck.load(manager, "lm_head.weight", c.vocabSize(), d);
        }
        NDArray norm = ck.load(manager, "model.norm.weight", d);
        LayerWeights[] layers = new LayerWeights[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = "model.layers." + l + ".";
            NDArray q = ck.load(manager, p + "self_attn.q_proj.weight", c.queryWidth(), d);
            NDArray k = ck.load(manager, p + "self_attn.k_proj.weight", c.kvWidth(), d);
            NDArray v = ck.load(manager, p + "self_attn.v_proj.weight", c.kvWidth(), d);
            NDArray qkv = NDArrays.concat(new NDList(q, k, v), 0);
            NDArray bqkv = null;
            if (c.attentionBias()) {
                NDArray bq = ck.load(manager, p + "self_attn.q_proj.bias", c.queryWidth());
                NDArray bk = ck.load(manager, p + "self_attn.k_proj.bias", c.kvWidth());
                NDArray bv = ck.load(manager, p + "self_attn.v_proj.bias", c.kvWidth());
                bqkv = NDArrays.concat(new NDList(bq, bk, bv), 0);
                bq.close();
                bk.close();
                bv.close();
            }
            q.close();
            k.close();
            v.close();
            NDArray o = ck.load(manager, p + "self_attn.o_proj.weight", d, c.queryWidth());
            NDArray gate = ck.load(manager, p + "mlp.gate_proj.weight", c.intermediateSize(), d);
            NDArray up = ck.load(manager, p + "mlp.up_proj.weight", c.intermediateSize(), d);
            NDArray gateUp = NDArrays.concat(new NDList(gate, up), 0);
            gate.close();
            up.close();
            NDArray down = ck.load(manager, p + "mlp.down_proj.weight", d, c.intermediateSize());
            layers[l] = new LayerWeights(ck.load(manager, p + "input_layernorm.weight", d), qkv, bqkv, o,
                    ck.load(manager, p + "post_attention_layernorm.weight", d), gateUp, down);
        }
        return new Transformer(c, manager, embed, lmHead, norm, layers);
    }

    public ModelConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    public LayerWeights layer(int i) {
        return layers[i];
    }

    public NDArray embedding() {
        return embed;
    }

    public NDArray lmHead() {
        return lmHead;
    }

    public NDArray finalNorm() {
        return finalNorm;
    }

    /**
     * Runs the decoder over {@code ids} ([B][T], same T for every row) and returns the final-normed hidden states
     * [B, T, d], registered in the caller's scope.
     *
     * @param starts the position of each row's first token (its cached length)
     * @param cache  null for a plain causal pass over just these tokens (scoring, training); otherwise keys and values
     *               are written to slots {@code slot0 .. slot0+B-1} at {@code starts} and attention reads the cache
     * @param lora   the adapters of these rows
     */
    public NDArray forward(long[][] ids, int[] starts, KvCache cache, int slot0, LoraBatch lora) {
        int b = ids.length;
        int t = ids[0].length;
        int maxEnd = 0;
        for (int r = 0; r < b; r++) {
            if (ids[r].length != t) {
                throw new IllegalArgumentException("rows of one forward pass must have the same length");
            }
            int end = starts[r] + t;
            if (end > config.maxPositions()) {
                throw new IllegalArgumentException("sequence of " + end + " tokens exceeds max_position_embeddings "
                        + config.maxPositions());
            }
            maxEnd = Math.max(maxEnd, end);
        }
        int keyLen = cache == null ? t : maxEnd;
        if (cache != null) {
            cache.ensureCapacity(maxEnd);
        }
        NDArray out;
        try (NDScope scope = new NDScope()) {
            long[] flat = new long[b * t];
            for (int r = 0; r < b; r++) {
                System.arraycopy(ids[r], 0, flat, r * t, t);
            }
            NDArray idx = manager.create(flat);
            NDArray x = embed.get(new NDIndex("{}", idx)).reshape(b, t, config.hiddenSize());
            NDArray[] rope = ropeTables(starts, b, t);
            NDArray mask = attentionMask(starts, b, t, keyLen, cache == null);
            NDArray rows = null;
            NDArray positions = null;
            if (cache != null && t == 1 && b > 1) {
                long[] rr = new long[b];
                long[] pp = new long[b];
                for (int r = 0; r < b; r++) {
                    rr[r] = slot0 + r;
                    pp[r] = starts[r];
                }
                rows = manager.create(rr);
                positions = manager.create(pp);
            }
            for (int l = 0; l < layers.length; l++) {
                x = layer(l, x, rope, mask, cache, slot0, starts, rows, positions, keyLen, lora);
            }
            out = rmsNorm(x, finalNorm);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** Logits [.., V] of hidden states [.., d]. */
    public NDArray logits(NDArray hidden) {
        return linear(hidden, lmHead, null);
    }

    private NDArray layer(int l, NDArray x, NDArray[] rope, NDArray mask, KvCache cache, int slot0, int[] starts,
                          NDArray rows, NDArray positions, int keyLen, LoraBatch lora) {
        ModelConfig c = config;
        LayerWeights w = layers[l];
        int b = (int) x.getShape().get(0);
        int t = (int) x.getShape().get(1);
        int nh = c.numHeads();
        int nkv = c.numKvHeads();
        int g = nh / nkv;
        int hd = c.headDim();
        NDArray out;
        try (NDScope scope = new NDScope()) {
            NDArray h = rmsNorm(x, w.inputNorm());
            NDArray qkv = adapt(linear(h, w.wqkv(), w.bqkv()), h, lora, l, LoraGroup.QKV);
            qkv = qkv.reshape(b, t, nh + 2 * nkv, hd);
            qkv = qkv.mul(rope[0]).add(qkv.matMul(rotateHalf).mul(rope[1]));
            NDList parts = qkv.split(new long[] {nh, nh + nkv}, 2);
            NDArray q = parts.get(0).reshape(b, t, nkv, g, hd).transpose(0, 2, 3, 1, 4).reshape(b, nkv, g * t, hd);
            NDArray k = parts.get(1).transpose(0, 2, 1, 3);
            NDArray v = parts.get(2).transpose(0, 2, 1, 3);
            NDArray keys;
            NDArray values;
            if (cache == null) {
                keys = k;
                values = v;
            } else {
                writeCache(cache.keys(l), k, slot0, starts, rows, positions, b, t);
                writeCache(cache.values(l), v, slot0, starts, rows, positions, b, t);
                NDIndex window = new NDIndex().addSliceDim(slot0, slot0 + b).addAllDim().addSliceDim(0, keyLen);
                keys = cache.keys(l).get(window);
                values = cache.values(l).get(window);
            }
            NDArray probs = q.matMul(keys.transpose(0, 1, 3, 2)).reshape(b, nkv, g, t, keyLen).add(mask).softmax(-1)
                    .reshape(b, nkv, g * t, keyLen);
            NDArray att = probs.matMul(values).reshape(b, nkv, g, t, hd).transpose(0, 3, 1, 2, 4).reshape(b, t, nh * hd);
            NDArray o = adapt(linear(att, w.wo(), null), att, lora, l, LoraGroup.O);
            NDArray x2 = x.add(o);
            NDArray h2 = rmsNorm(x2, w.postNorm());
            NDArray gu = adapt(linear(h2, w.wGateUp(), null), h2, lora, l, LoraGroup.GATE_UP);
            NDList halves = gu.split(2, 2);
            NDArray gate = halves.get(0);
            NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(halves.get(1));
            NDArray down = adapt(linear(act, w.wDown(), null), act, lora, l, LoraGroup.DOWN);
            out = x2.add(down);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    private static void writeCache(NDArray store, NDArray kv, int slot0, int[] starts, NDArray rows,
                                   NDArray positions, int b, int t) {
        if (rows != null) {
            // One position for each row, each at its own length: one scatter for the whole batch.
            store.set(new NDIndex("{}, :, {}", rows, positions), kv.reshape(b, kv.getShape().get(1), kv.getShape().get(3)));
        } else {
            for (int r = 0; r < b; r++) {
                NDIndex dst = new NDIndex().addSliceDim(slot0 + r, slot0 + r + 1).addAllDim()
                        .addSliceDim(starts[r], starts[r] + t);
                store.set(dst, b == 1 ? kv : kv.get(new NDIndex().addSliceDim(r, r + 1)));
            }
        }
    }

    private NDArray adapt(NDArray y, NDArray h, LoraBatch lora, int layer, LoraGroup group) {
        NDArray at = lora.at(layer, group);
        if (at == null) {
            return y;
        }
        NDArray low = h.matMul(at);
        NDArray mask = lora.mask(layer, group);
        if (mask != null) {
            low = low.mul(mask);
        }
        return y.add(low.matMul(lora.bt(layer, group)));
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray inv = x.square().mean(new int[] {-1}, true).add((float) config.rmsNormEps()).pow(-0.5f);
        return x.mul(inv).mul(weight);
    }

    private static NDArray linear(NDArray x, NDArray w, NDArray bias) {
        return x.getNDArrayInternal().linear(x, w, bias).singletonOrThrow();
    }

    /** cos and sin, [B, T, heads(q+k+v), headDim]; q heads scaled by 1/sqrt(headDim), v heads left alone. */
    private NDArray[] ropeTables(int[] starts, int b, int t) {
        int nh = config.numHeads();
        int nkv = config.numKvHeads();
        int heads = nh + 2 * nkv;
        int hd = config.headDim();
        int half = hd / 2;
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] cos = new float[b * t * heads * hd];
        float[] sin = new float[cos.length];
        float[] c1 = new float[hd];
        float[] s1 = new float[hd];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                float pos = starts[r] + i;
                for (int j = 0; j < half; j++) {
                    float angle = pos * invFreq[j];
                    c1[j] = c1[j + half] = (float) Math.cos(angle);
                    s1[j] = s1[j + half] = (float) Math.sin(angle);
                }
                int base = (r * t + i) * heads * hd;
                for (int hIdx = 0; hIdx < heads; hIdx++) {
                    int o = base + hIdx * hd;
                    if (hIdx < nh) {
                        for (int j = 0; j < hd; j++) {
                            cos[o + j] = c1[j] * scale;
                            sin[o + j] = s1[j] * scale;
                        }
                    } else if (hIdx < nh + nkv) {
                        System.arraycopy(c1, 0, cos, o, hd);
                        System.arraycopy(s1, 0, sin, o, hd);
                    } else {
                        java.util.Arrays.fill(cos, o, o + hd, 1f);
                    }
                }
            }
        }
        Shape shape = new Shape(b, t, heads, hd);
        return new NDArray[] {manager.create(cos, shape), manager.create(sin, shape)};
    }

    /** Additive mask [B, 1, 1, T, S]: query i of row r sees key j when j <= start_r + i. */
    private NDArray attentionMask(int[] starts, int b, int t, int keyLen, boolean noCache) {
        float[] m = new float[b * t * keyLen];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                int last = noCache ? i : starts[r] + i;
                int o = (r * t + i) * keyLen;
                for (int j = last + 1; j < keyLen; j++) {
                    m[o + j] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        return manager.create(m, new Shape(b, 1, 1, t, keyLen));
    }

    /** Frees the weights (the caller's manager owns them; this closes the manager). */
    @Override
    public void close() {
        manager.close();
    }

    /** A helper kept here so the loading code reads in one place. */
    static final class NDArrays {
        static NDArray concat(NDList list, int axis) {
            return ai.djl.ndarray.NDArrays.concat(list, axis);
        }
    }

    public DataType dtype() {
        return embed.getDataType();
    }
}
