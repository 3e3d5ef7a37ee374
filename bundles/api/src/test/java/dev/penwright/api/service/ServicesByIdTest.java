package dev.penwright.api.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ServicesByIdTest {
    private record Named(String id) { }

    private final ServicesById<Named> services = new ServicesById<>("test.id", Named::id);

    @Test
    void theRegistrationPropertyNamesAServiceBeforeItsOwnId() {
        Named a = new Named("own");
        services.bind(a, Map.of("test.id", "registered"));
        services.bind(new Named("plain"), Map.of());
        assertEquals(List.of("plain", "registered"), services.ids());
        assertSame(a, services.find("registered").orElseThrow());
        assertTrue(services.find("own").isEmpty());
        assertTrue(services.find(null).isEmpty());
    }

    @Test
    void unbindingAServiceThatLostItsIdKeepsTheOneThatTookItOver() {
        Named first = new Named("x");
        Named second = new Named("x");
        services.bind(first, Map.of());
        services.bind(second, Map.of());
        services.unbind(first, Map.of());
        assertSame(second, services.find("x").orElseThrow());
        services.unbind(second, Map.of());
        assertTrue(services.isEmpty());
    }
}
