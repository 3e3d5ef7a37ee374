package dev.penwright.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.fileupload.FileItemIterator;
import org.apache.commons.fileupload.FileItemStream;
import org.apache.commons.fileupload.FileUpload;
import org.apache.commons.fileupload.FileUploadBase;
import org.apache.commons.fileupload.FileUploadException;
import org.apache.commons.fileupload.UploadContext;

/**
 * Receiving an uploaded style-pack jar, as the body or as the file part of a multipart form: a size cap while it
 * arrives. What is inside is then checked by the
 * stylepacks bundle's {@link dev.penwright.stylepacks.PackArchive} under the shared
 * {@link dev.penwright.stylepacks.StylePackLimits}, as for every other way a pack arrives.
 */
final class PackUpload {
    static final Pattern STYLE_ID = dev.penwright.stylepacks.StylePackFormat.ID;

    private PackUpload() {
    }

    /** Copies the body to {@code file}, refusing more than {@code maxBytes}. */
    static void receive(InputStream in, Path file, long maxBytes) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > maxBytes) {
                    throw new ApiError(413, "payload_too_large", "the upload exceeds " + maxBytes + " bytes");
                }
                out.write(buffer, 0, n);
            }
        }
        if (total == 0) {
            throw new ApiError(400, "empty_upload", "the request body is empty; send the pack jar as the body");
        }
    }

    /**
     * Copies the file part of a {@code multipart/form-data} body (the part named {@code file}, else the first part
     * that carries a file name) to {@code file}, as it arrives and within {@code maxBytes}: {@code curl -F
     * file=@pack.jar}. Only the file's own bytes are written, never the envelope around them.
     */
    static void receiveFilePart(HttpServletRequest request, Path file, long maxBytes) throws IOException {
        FileUpload multipart = new FileUpload();
        // The envelope and any form fields around the file: a few KiB in practice.
        multipart.setSizeMax(maxBytes + MULTIPART_ENVELOPE_BYTES);
        multipart.setFileCountMax(MAX_PARTS);
        try {
            FileItemIterator parts = multipart.getItemIterator(new Body(request));
            FileItemStream chosen = null;
            while (parts.hasNext()) {
                FileItemStream part = parts.next();
                if ("file".equals(part.getFieldName()) || (chosen == null && part.getName() != null)) {
                    chosen = part;
                    break;
                }
            }
            if (chosen == null) {
                throw new ApiError(400, "no_file_part", "the multipart body has no file part: send the pack as"
                        + " the part named 'file' (curl -F file=@pack.jar)");
            }
            try (InputStream in = chosen.openStream()) {
                receive(in, file, maxBytes);
            }
        } catch (FileUploadBase.SizeLimitExceededException e) {
            throw new ApiError(413, "payload_too_large", "the upload exceeds " + maxBytes + " bytes");
        } catch (FileUploadException | IOException e) {
            // A malformed envelope (MultipartStream's MalformedStreamException is an IOException), or the client
            // gone: either way there is no pack, and whoever is still there learns why.
            throw new ApiError(400, "invalid_multipart", "the multipart/form-data body cannot be read: "
                    + e.getMessage());
        }
    }

    static boolean isMultipart(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data");
    }

    private static final long MULTIPART_ENVELOPE_BYTES = 64 * 1024;
    private static final long MAX_PARTS = 16;

    /** The request as commons-fileupload reads it (its servlet adapter is for the javax API). */
    private record Body(HttpServletRequest request) implements UploadContext {
        @Override
        public String getCharacterEncoding() {
            return request.getCharacterEncoding();
        }

        @Override
        public String getContentType() {
            return request.getContentType();
        }

        @Override
        @Deprecated
        public int getContentLength() {
            return request.getContentLength();
        }

        @Override
        public long contentLength() {
            return request.getContentLengthLong();
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return request.getInputStream();
        }
    }

    static ApiError invalid(String reason) {
        return new ApiError(422, "invalid_style_pack", reason);
    }

    /** Deletes a folder tree, best effort: it is a temporary folder of ours. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Left for the OS's temp cleaner.
                }
            });
        } catch (IOException ignored) {
            // Same.
        }
    }
}
