package com.omc.flywheel.local.proxy;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The JDK's HTTP server on a free loopback port, with daemon threads: the base of every local stand-in. */
public final class LoopbackHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;

    private LoopbackHttpServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    public static LoopbackHttpServer start(String name, int threadCount, HttpHandler handler) {
        // Without TCP_NODELAY the server's separate header and body writes meet the client's
        // delayed ACK: about 40 ms a call.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            ExecutorService threads = Executors.newFixedThreadPool(threadCount, r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            server.createContext("/", handler);
            server.setExecutor(threads);
            server.start();
            return new LoopbackHttpServer(server, threads);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + " on a loopback port", e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public URI endpointUri() {
        return URI.create(endpoint());
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
