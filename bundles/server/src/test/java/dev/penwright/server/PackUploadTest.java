package dev.penwright.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackUploadTest {
    @TempDir
    Path dir;

    @Test
    void receivingStopsAtTheCap() throws Exception {
        Path file = dir.resolve("upload");
        ApiError tooBig = assertThrows(ApiError.class,
                () -> PackUpload.receive(new ByteArrayInputStream(new byte[2000]), file, 1000));
        assertEquals(413, tooBig.status);
        PackUpload.receive(new ByteArrayInputStream(new byte[1000]), file, 1000);
        assertEquals(1000, Files.size(file));
        assertEquals(400, assertThrows(ApiError.class,
                () -> PackUpload.receive(new ByteArrayInputStream(new byte[0]), file, 1000)).status);
    }
}
