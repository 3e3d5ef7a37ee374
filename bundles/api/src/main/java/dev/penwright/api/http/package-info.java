/** What the servlet container tells the HTTP API about a request beyond the servlet API. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.penwright.api.http;
