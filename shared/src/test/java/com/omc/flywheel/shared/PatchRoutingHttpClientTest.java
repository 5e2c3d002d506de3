package com.omc.flywheel.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

class PatchRoutingHttpClientTest {
    @Test
    void readsGoThroughUrlConnectionAndOnlyAPatchStartsTheJdkClient() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            seen.add(exchange.getRequestMethod() + " " + new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("{}".getBytes(StandardCharsets.UTF_8));
            exchange.close();
        });
        server.start();
        PatchRoutingHttpClient client = new PatchRoutingHttpClient(UrlConnectionHttpClient.create(),
                () -> new JdkHttpClient(Duration.ofSeconds(2), Duration.ofSeconds(5)));
        try {
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/memberships/m");
            assertEquals(200, send(client, uri, SdkHttpMethod.GET, null));
            assertEquals(200, send(client, uri, SdkHttpMethod.POST, "{\"a\":1}"));
            assertFalse(client.patchClientBuilt(), "no PATCH yet, so no JDK client");
            assertEquals(200, send(client, uri, SdkHttpMethod.PATCH, "{\"b\":2}"));
            assertTrue(client.patchClientBuilt());
            assertEquals(List.of("GET ", "POST {\"a\":1}", "PATCH {\"b\":2}"), seen);
        } finally {
            server.stop(0);
        }
    }

    private static int send(PatchRoutingHttpClient client, URI uri, SdkHttpMethod method,
            String body) throws Exception {
        SdkHttpFullRequest.Builder r = SdkHttpFullRequest.builder().uri(uri).method(method);
        HttpExecuteRequest.Builder request = HttpExecuteRequest.builder();
        if (body != null) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            r.putHeader("Content-Length", String.valueOf(bytes.length)).putHeader("Content-Type", "application/json");
            request.contentStreamProvider(() -> new ByteArrayInputStream(bytes));
        }
        HttpExecuteResponse response = client.prepareRequest(request.request(r.build()).build()).call();
        response.responseBody().ifPresent(b -> {
            try {
                b.close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return response.httpResponse().statusCode();
    }
}
