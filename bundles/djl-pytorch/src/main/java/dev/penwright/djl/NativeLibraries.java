package dev.penwright.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads PyTorch's and the tokenizers' native libraries when this bundle starts, through this bundle's class loader.
 *
 * <p>A JVM binds a native library to the first class loader that loads it, and DJL picks its engine once, in a static
 * initialiser, through the thread context class loader. So this is done here, before any other bundle calls DJL, with
 * the context class loader set to this bundle's: afterwards DJL works from any thread. It is an activator, not a
 * component, because nothing may call DJL before it has run: hosts start this bundle at a lower start level than the
 * bundles that import DJL. This bundle must not be updated or refreshed while the JVM runs (a second class loader
 * cannot load the same natives); the bundles above it can.
 */
public final class NativeLibraries implements BundleActivator {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLibraries.class);

    @Override
    public void start(BundleContext context) {
        // Nothing is downloaded at run time: the natives come from the embedded pytorch-native-cpu jar.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(NativeLibraries.class.getClassLoader());
        try {
            Engine pytorch = Engine.getEngine("PyTorch");
            try (NDManager manager = pytorch.newBaseManager()) {
                // Engine lookup alone defers the native load; one operation makes it happen now.
                manager.zeros(new Shape(3)).add(1).sum();
            }
            ai.djl.huggingface.tokenizers.jni.LibUtils.checkStatus();
            LOG.info("PyTorch {} loaded through DJL {} in bundle {}", pytorch.getVersion(), Engine.getDjlVersion(),
                    context.getBundle().getSymbolicName());
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void stop(BundleContext context) {
        // The natives stay loaded for the JVM's life: a JVM cannot unload them.
    }
}
