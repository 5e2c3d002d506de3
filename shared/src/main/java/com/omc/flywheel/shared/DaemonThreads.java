package com.omc.flywheel.shared;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * Worker threads that never keep a JVM alive: a pool built at a function's init outlives each
 * request, and in a local JVM (bin/flywheel, tests) it must not stop the JVM from exiting.
 */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** Daemon threads named {@code name}. */
    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** A fixed pool of {@code threads} daemon threads named {@code name}. */
    public static ExecutorService fixedPool(String name, int threads) {
        return Executors.newFixedThreadPool(threads, named(name));
    }
}
