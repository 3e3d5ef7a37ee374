/**
 * The style-pack extender. A bundle with the header {@code Penwright-StylePack: <id>} and the files under
 * {@code style/} is validated and registered as a {@link dev.penwright.api.style.StylePack} service. Packs require
 * this extender through {@code osgi.extender=penwright.stylepack}.
 */
@org.osgi.annotation.bundle.Capability(namespace = "osgi.extender", name = StylePackFormat.EXTENDER,
        version = StylePackFormat.EXTENDER_VERSION)
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.5.0")
package dev.penwright.stylepacks;
