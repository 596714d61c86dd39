/*
 * tams-server's launcher of the mock server in VAST's Java connectors (vast-data/vast-db-connectors,
 * plugin/ndb-common, com.vastdata.mockserver), built by scripts/vast-java-mock.sh. Serves it on a
 * loopback port with one database bucket, prints `port=<n>` and `ready`, and serves until killed.
 *
 *   java -cp <classes>:<dependencies> tams.MockMain <port, 0 for any> <bucket>
 *
 * Two adaptations, where the mock was written for the Java client and VAST's Python SDK (which
 * tams-server's engine follows) words the same call otherwise; everything else reaches the mock
 * as sent:
 * - the Java client lists a table's columns with `GET ?columns`, the SDK with `GET ?column`: the
 *   mock answers only the former (and leaves the latter unanswered), so a `GET ?column` is passed
 *   on as `?columns`;
 * - the Java client begins a transaction without a `tabular-txid` header, the SDK sends
 *   `tabular-txid: 0` (its "no transaction"): the mock refuses a begin carrying one (500), so a
 *   `0` there is left out.
 */
package tams;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpServer;
import com.vastdata.mockserver.MockMapSchema;
import com.vastdata.mockserver.VastRootHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

public final class MockMain
{
    private MockMain() {}

    /** The exchange as the mock's handlers see it: another request URI, or other request headers. */
    private static final class Adapted extends HttpExchange
    {
        private final HttpExchange inner;
        private final URI uri;
        private final Headers headers;

        Adapted(HttpExchange inner, URI uri, Headers headers)
        {
            this.inner = inner;
            this.uri = uri;
            this.headers = headers;
        }

        @Override public Headers getRequestHeaders() { return headers; }
        @Override public Headers getResponseHeaders() { return inner.getResponseHeaders(); }
        @Override public URI getRequestURI() { return uri; }
        @Override public String getRequestMethod() { return inner.getRequestMethod(); }
        @Override public HttpContext getHttpContext() { return inner.getHttpContext(); }
        @Override public void close() { inner.close(); }
        @Override public InputStream getRequestBody() { return inner.getRequestBody(); }
        @Override public OutputStream getResponseBody() { return inner.getResponseBody(); }
        @Override public void sendResponseHeaders(int code, long length) throws IOException { inner.sendResponseHeaders(code, length); }
        @Override public InetSocketAddress getRemoteAddress() { return inner.getRemoteAddress(); }
        @Override public int getResponseCode() { return inner.getResponseCode(); }
        @Override public InetSocketAddress getLocalAddress() { return inner.getLocalAddress(); }
        @Override public String getProtocol() { return inner.getProtocol(); }
        @Override public Object getAttribute(String name) { return inner.getAttribute(name); }
        @Override public void setAttribute(String name, Object value) { inner.setAttribute(name, value); }
        @Override public void setStreams(InputStream i, OutputStream o) { inner.setStreams(i, o); }
        @Override public HttpPrincipal getPrincipal() { return inner.getPrincipal(); }
    }

    public static void main(String[] args) throws Exception
    {
        Logger.getLogger("").setLevel(Level.WARNING);
        int port = Integer.parseInt(args[0]);
        String bucket = args[1];
        VastRootHandler root = new VastRootHandler();
        // The mock knows only the buckets it is given (besides two of its own).
        Map<String, Set<MockMapSchema>> buckets = new HashMap<>();
        buckets.put(bucket, new HashSet<>());
        root.setSchema(buckets);
        HttpHandler handler = exchange -> {
            URI uri = exchange.getRequestURI();
            // The request's own headers cannot be changed: the handlers get a copy.
            Headers headers = new Headers();
            headers.putAll(exchange.getRequestHeaders());
            if ("POST".equals(exchange.getRequestMethod()) && "/".equals(uri.getRawPath())
                    && "0".equals(headers.getFirst("tabular-txid"))) {
                headers.remove("tabular-txid");
            }
            if ("GET".equals(exchange.getRequestMethod()) && "column".equals(uri.getRawQuery())) {
                uri = uri.resolve(uri.getRawPath() + "?columns");
            }
            root.handle(new Adapted(exchange, uri, headers));
        };
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.createContext("/", handler);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        System.out.println("port=" + server.getAddress().getPort());
        System.out.println("ready");
        System.out.flush();
    }
}
