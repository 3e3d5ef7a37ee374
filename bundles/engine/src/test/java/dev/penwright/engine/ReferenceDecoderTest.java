package dev.penwright.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import ai.djl.ndarray.NDScope;
import dev.penwright.engine.internal.Safetensors;

/**
 * Checks the engine against a literal, loop-by-loop Java transcription of HF's LlamaForCausalLM / Qwen2 forward
 * (rotate_half, repeat_kv, softmax(q·k^T/sqrt(d)), SwiGLU, RMSNorm in float), with and without a PEFT adapter
 * applied the PEFT way (W·x + scale·B·A·x), read straight from the files.
 */
class ReferenceDecoderTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"llama,false", "qwen2,true"})
    void engineMatchesLiteralReference(String arch, boolean tied) throws Exception {
        Path dir = TinyModels.write(tmp.resolve(arch), arch, tied, 21);
        long[] ids = TinyModels.ids(3, 50, 7, 120, 9, 64, 200, 11);
        try (LanguageModel model = LanguageModel.load(dir)) {
            LoraConfig cfg = new LoraConfig(4, 8, LoraConfig.MODULES, Map.of("o_proj", 2), Map.of(), false, "");
            try (LoraAdapter adapter = model.createAdapter("r", cfg, 5, false)) {
                Path ad = tmp.resolve("adapter");
                adapter.save(ad);
                for (Path adapterDir : new Path[] {null, ad}) {
                    float[][] expected = new Reference(dir, adapterDir).logits(ids);
                    float[] got;
                    try (NDScope scope = new NDScope()) {
                        got = model.logits(new long[][] {ids}, adapterDir == null ? null : adapter).toFloatArray();
                    }
                    int v = model.config().vocabSize();
                    for (int t = 0; t < ids.length; t++) {
                        for (int j = 0; j < v; j++) {
                            assertEquals(expected[t][j], got[t * v + j], 2e-4, "position " + t + " token " + j);
                        }
                    }
                }
            }
        }
    }

    /** The textbook computation, in plain loops. */
    static final class Reference {
        final ModelConfig c;
        final Safetensors w;
        final Safetensors lora;
        final LoraConfig loraConfig;

        Reference(Path dir, Path adapterDir) throws Exception {
            c = ModelConfig.read(dir.resolve("config.json"));
            w = Safetensors.open(dir.resolve("model.safetensors"));
            lora = adapterDir == null ? null : Safetensors.open(adapterDir.resolve("adapter_model.safetensors"));
            loraConfig = adapterDir == null ? null : LoraConfig.read(adapterDir.resolve("adapter_config.json"));
        }

        final Map<String, float[]> loaded = new java.util.HashMap<>();

        float[] t(String name) throws Exception {
            float[] v = loaded.get(name);
            if (v == null) {
                v = w.readF32Array(name);
                loaded.put(name, v);
            }
            return v;
        }

        /** y = W·x (+ b) (+ scale·B·(A·x)), W [out, in]. */
        float[] proj(String module, float[] x, int out) throws Exception {
            float[] wt = t(module + ".weight");
            int in = x.length;
            float[] y = new float[out];
            for (int o = 0; o < out; o++) {
                float s = 0;
                for (int i = 0; i < in; i++) {
                    s += wt[o * in + i] * x[i];
                }
                y[o] = s;
            }
            if (w.tensors().containsKey(module + ".bias")) {
                float[] b = t(module + ".bias");
                for (int o = 0; o < out; o++) {
                    y[o] += b[o];
                }
            }
            String an = "base_model.model." + module + ".lora_A.weight";
            if (lora != null && lora.tensors().containsKey(an)) {
                float[] a = lora.readF32Array(an);
                float[] bb = lora.readF32Array(an.replace("lora_A", "lora_B"));
                int r = a.length / in;
                double scale = loraConfig.scaleOf(module);
                float[] ax = new float[r];
                for (int k = 0; k < r; k++) {
                    for (int i = 0; i < in; i++) {
                        ax[k] += a[k * in + i] * x[i];
                    }
                }
                for (int o = 0; o < out; o++) {
                    float s = 0;
                    for (int k = 0; k < r; k++) {
                        s += bb[o * r + k] * ax[k];
                    }
                    y[o] += (float) (scale * s);
                }
            }
            return y;
        }

        float[] rms(float[] x, float[] weight) {
            float var = 0;
            for (float v : x) {
                var += v * v;
            }
            var /= x.length;
            float inv = (float) (1.0 / Math.sqrt(var + c.rmsNormEps()));
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = weight[i] * (x[i] * inv);
            }
            return y;
        }

        void rope(float[] x, int heads, int pos) {
            int hd = c.headDim();
            int half = hd / 2;
            for (int h = 0; h < heads; h++) {
                float[] rotated = new float[hd];
                for (int j = 0; j < hd; j++) {
                    rotated[j] = j < half ? -x[h * hd + j + half] : x[h * hd + j - half];
                }
                for (int j = 0; j < hd; j++) {
                    float invFreq = (float) (1.0 / Math.pow(c.ropeTheta(), (float) (2 * (j % half)) / hd));
                    float angle = pos * invFreq;
                    x[h * hd + j] = (float) (x[h * hd + j] * Math.cos(angle) + rotated[j] * Math.sin(angle));
                }
            }
        }

        float[][] logits(long[] ids) throws Exception {
            int n = ids.length;
            int d = c.hiddenSize();
            int hd = c.headDim();
            float[] emb = t("model.embed_tokens.weight");
            float[][] x = new float[n][d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(emb, (int) ids[i] * d, x[i], 0, d);
            }
            for (int l = 0; l < c.numLayers(); l++) {
                String p = "model.layers." + l + ".";
                float[][] q = new float[n][];
                float[][] k = new float[n][];
                float[][] v = new float[n][];
                for (int i = 0; i < n; i++) {
                    float[] h = rms(x[i], t(p + "input_layernorm.weight"));
                    q[i] = proj(p + "self_attn.q_proj", h, c.queryWidth());
                    k[i] = proj(p + "self_attn.k_proj", h, c.kvWidth());
                    v[i] = proj(p + "self_attn.v_proj", h, c.kvWidth());
                    rope(q[i], c.numHeads(), i);
                    rope(k[i], c.numKvHeads(), i);
                }
                int group = c.numHeads() / c.numKvHeads();
                for (int i = 0; i < n; i++) {
                    float[] att = new float[c.queryWidth()];
                    for (int h = 0; h < c.numHeads(); h++) {
                        int kvh = h / group; // repeat_kv
                        double[] s = new double[i + 1];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j <= i; j++) {
                            float dot = 0;
                            for (int e = 0; e < hd; e++) {
                                dot += q[i][h * hd + e] * k[j][kvh * hd + e];
                            }
                            s[j] = dot / Math.sqrt(hd);
                            max = Math.max(max, s[j]);
                        }
                        double sum = 0;
                        for (int j = 0; j <= i; j++) {
                            s[j] = Math.exp(s[j] - max);
                            sum += s[j];
                        }
                        for (int j = 0; j <= i; j++) {
                            for (int e = 0; e < hd; e++) {
                                att[h * hd + e] += (float) (s[j] / sum) * v[j][kvh * hd + e];
                            }
                        }
                    }
                    float[] o = proj(p + "self_attn.o_proj", att, d);
                    for (int e = 0; e < d; e++) {
                        x[i][e] += o[e];
                    }
                }
                for (int i = 0; i < n; i++) {
                    float[] h = rms(x[i], t(p + "post_attention_layernorm.weight"));
                    float[] g = proj(p + "mlp.gate_proj", h, c.intermediateSize());
                    float[] u = proj(p + "mlp.up_proj", h, c.intermediateSize());
                    float[] a = new float[g.length];
                    for (int e = 0; e < g.length; e++) {
                        a[e] = (float) (g[e] / (1 + Math.exp(-g[e]))) * u[e];
                    }
                    float[] down = proj(p + "mlp.down_proj", a, d);
                    for (int e = 0; e < d; e++) {
                        x[i][e] += down[e];
                    }
                }
            }
            float[][] out = new float[n][];
            String head = c.tieWordEmbeddings() ? "model.embed_tokens" : "lm_head";
            for (int i = 0; i < n; i++) {
                float[] h = rms(x[i], t("model.norm.weight"));
                float[] wt = t(head + ".weight");
                out[i] = new float[c.vocabSize()];
                for (int o = 0; o < c.vocabSize(); o++) {
                    float s = 0;
                    for (int e = 0; e < d; e++) {
                        s += wt[o * d + e] * h[e];
                    }
                    out[i][o] = s;
                }
            }
            return out;
        }
    }
}
