package dev.penwright.api.model;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** The base models this runtime can load, from the configured model folders. */
@ProviderType
public interface ModelCatalog {
    List<BaseModelInfo> models();

    Optional<BaseModelInfo> find(String id);
}
