package com.omc.flywheel.shared;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An SDK HTTP client on the JDK's own {@link HttpClient}, for the services whose APIs use PATCH
 * (Clean Rooms' Update* operations): the url-connection client cannot send PATCH
 * ({@code HttpURLConnection} rejects the method), and the Apache and Netty clients are kept off the
 * classpath for cold start and size. Request bodies of these APIs are small JSON documents, so each
 * is read whole and sent with its Content-Length, exactly as signed.
 */
public final class JdkHttpClient implements SdkHttpClient {
    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "date", "expect", "from",
            "host",
            "upgrade", "via", "warning");
    private final HttpClient client;
    private final Duration readTimeout;

    public JdkHttpClient(Duration connectTimeout, Duration readTimeout) {
        this.readTimeout = readTimeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(Executors.newCachedThreadPool(DaemonThreads.named("jdk-http")))
                .build();
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        SdkHttpRequest r = request.httpRequest();
        byte[] body = request.contentStreamProvider().map(p -> {
            try (InputStream in = p.newStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the request body", e);
            }
        }).orElse(new byte[0]);
        HttpRequest.Builder b = HttpRequest.newBuilder(r.getUri()).timeout(readTimeout)
                .method(r.method().name(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        r.forEachHeader((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase())) {
                values.forEach(v -> b.header(name, v));
            }
        });
        HttpRequest built = b.build();
        return new ExecutableHttpRequest() {
            private volatile CompletableFuture<HttpResponse<InputStream>> future;

            @Override
            public HttpExecuteResponse call() throws IOException {
                future = client.sendAsync(built, HttpResponse.BodyHandlers.ofInputStream());
                HttpResponse<InputStream> response;
                try {
                    response = future.get(readTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while calling " + r.getUri(), e);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                } catch (TimeoutException e) {
                    future.cancel(true);
                    throw new IOException("no answer from " + r.getUri() + " within " + readTimeout, e);
                }
                SdkHttpResponse.Builder head = SdkHttpResponse.builder().statusCode(response.statusCode());
                for (Map.Entry<String, List<String>> h : response.headers().map().entrySet()) {
                    head.putHeader(h.getKey(), h.getValue());
                }
                InputStream in = response.body() == null ? new ByteArrayInputStream(new byte[0]) : response.body();
                return HttpExecuteResponse.builder().response(head.build())
                        .responseBody(AbortableInputStream.create(in))
                        .build();
            }

            @Override
            public void abort() {
                CompletableFuture<HttpResponse<InputStream>> f = future;
                if (f != null) {
                    f.cancel(true);
                }
            }
        };
    }

    @Override
    public void close() {
        // the daemon executor's threads end with the JVM; nothing holds resources beyond them
    }

    @Override
    public String clientName() {
        return "JdkHttp";
    }
}
