/**
 * HTTP/1.1 over a Tsunagu stack's TCP, as a library: a static file server
 * ({@link dev.tsunagu.apps.http.HttpFileServer#serve}) and a {@code curl}-like client
 * ({@link dev.tsunagu.apps.http.HttpClient#get}). The exported API is those two classes,
 * {@link dev.tsunagu.apps.http.HttpHeaders} and {@link dev.tsunagu.apps.http.MimeTypes};
 * the message framing they share ({@code Http}, {@code HttpInput}) stays package-private.
 *
 * <p>Deliberately small (RFC 9110, 9112): one request per connection ({@code Connection: close}
 * both ways), {@code GET} and {@code HEAD}, bodies by {@code Content-Length}, chunked transfer
 * coding or the close. No TLS, no keep-alive, no HTTP/2. Both sides use the blocking socket API
 * on virtual threads, and every wait for the peer is bounded by a timeout.
 */
package dev.tsunagu.apps.http;
