package dev.penwright.bench;

import dev.penwright.api.model.BaseModelInfo;
import dev.penwright.api.model.ModelCatalog;

import java.util.List;
import java.util.Optional;

/**
 * The catalog of a run with {@code --model}: that folder answers for every model id, so packs are checked against
 * it by fingerprint (the validator's and the styler's check), whatever id they name it by.
 */
final class ModelOverlay {
    private ModelOverlay() {
    }

    static ModelCatalog of(BaseModelInfo model) {
        return new ModelCatalog() {
            @Override
            public List<BaseModelInfo> models() {
                return List.of(model);
            }

            @Override
            public Optional<BaseModelInfo> find(String id) {
                return Optional.of(new BaseModelInfo(id, model.directory(), model.architecture(), model.fingerprint(),
                        model.parameters()));
            }
        };
    }
}
