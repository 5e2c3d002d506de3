package com.omc.flywheel.local.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Runs a function from its deployment package ({@code functions/<name>/target/<name>-lambda/lib},
 * the jars of {@code <name>-lambda.zip}) in a class loader of its own, as Lambda runs each function:
 * nothing of this JVM's classpath is visible to it but the JDK and the Lambda runtime interface
 * ({@code com.amazonaws.services.lambda.runtime}). What runs is therefore the shrunk jar that is
 * deployed, not the classes of the build, and two functions never share a class.
 *
 * <p>The thread's context class loader is the function's while it is built and invoked: the SDK
 * looks up its interceptors and services through it, as it does on Lambda.
 */
public final class FunctionPackages {
    private static final String RUNTIME_INTERFACE = "com.amazonaws.services.lambda.runtime.";
    private static final Map<Path, URLClassLoader> LOADERS = new ConcurrentHashMap<>();
    /** Where the functions' JSON logs go (null: their default, standard error). */
    private static volatile PrintStream logs;

    private FunctionPackages() {
    }

    /** The unpacked deployment package of a function; fails with what to run when it was not built. */
    public static Path lib(Path repo, String function) {
        Path lib = repo.resolve("functions").resolve(function).resolve("target").resolve(function + "-lambda")
                .resolve("lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("the deployment package of " + function + " is not built (" + lib
                    + " is missing): run mvn -B package -DskipTests (or mvn -B verify) first");
        }
        return lib;
    }

    /**
     * A factory of the function's handler, each call a new instance (a new execution environment's
     * init) in the function's class loader, which is made once per package and JVM.
     */
    public static Supplier<RequestStreamHandler> handler(Path lib, String handlerClass) {
        return () -> {
            ClassLoader loader = loader(lib);
            RequestStreamHandler handler;
            try {
                handler = inContext(loader, () -> (RequestStreamHandler) Class.forName(handlerClass, true, loader)
                        .getDeclaredConstructor().newInstance());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot build " + handlerClass, e);
            }
            return new RequestStreamHandler() {
                @Override
                public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
                    inContext(loader, () -> {
                        handler.handleRequest(in, out, context);
                        return null;
                    });
                }
            };
        };
    }

    /**
     * What SnapStart's checkpoint runs: every priming registered in the function's class loader (by
     * the handlers built so far), now, in that loader. Returns how many ran.
     */
    public static int primeAll(Path lib) {
        ClassLoader loader = loader(lib);
        try {
            return inContext(loader, () -> (Integer) Class.forName("com.omc.flywheel.shared.Priming", true, loader)
                    .getMethod("primeAll").invoke(null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends the JSON log lines of every function loaded from a package (their own copy of
     * {@code JsonLog}) to {@code out}; functions loaded later too.
     */
    public static void redirectLogs(PrintStream out) {
        logs = out;
        LOADERS.values().forEach(FunctionPackages::applyLogs);
    }

    private static URLClassLoader loader(Path lib) {
        return LOADERS.computeIfAbsent(lib.toAbsolutePath().normalize(), dir -> {
            List<URL> urls = new ArrayList<>();
            try (Stream<Path> jars = Files.list(dir)) {
                for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                    urls.add(jar.toUri().toURL());
                }
            } catch (MalformedURLException e) {
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
            urls.add(principalHeaderDir());
            URLClassLoader loader = new URLClassLoader("function:" + dir.getParent().getFileName(),
                    urls.toArray(URL[]::new),
                    new RuntimeInterfaceOnly(FunctionPackages.class.getClassLoader()));
            applyLogs(loader);
            return loader;
        });
    }

    private static URL principalHeaderUrl;

    /**
     * A folder on every function's class path with {@link com.omc.flywheel.local.iam.PrincipalHeader}
     * and the SDK's global interceptor list naming it, so each function's requests say whose they are
     * to the local IAM check. The class is defined by the function's loader, against its own SDK.
     */
    private static synchronized URL principalHeaderDir() {
        if (principalHeaderUrl == null) {
            String cls = com.omc.flywheel.local.iam.PrincipalHeader.class.getName();
            try {
                Path dir = Files.createTempDirectory("flywheel-principal-header");
                Path classFile = dir.resolve(cls.replace('.', '/') + ".class");
                Files.createDirectories(classFile.getParent());
                try (InputStream in = FunctionPackages.class.getResourceAsStream("/" + cls.replace('.', '/')
                        + ".class")) {
                    Files.write(classFile, in.readAllBytes());
                }
                Path list = dir.resolve("software/amazon/awssdk/global/handlers/execution.interceptors");
                Files.createDirectories(list.getParent());
                Files.writeString(list, cls + "\n");
                principalHeaderUrl = dir.toUri().toURL();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lay out the principal header interceptor", e);
            }
        }
        return principalHeaderUrl;
    }

    private static void applyLogs(ClassLoader loader) {
        PrintStream out = logs;
        if (out == null) {
            return;
        }
        try {
            Class.forName("com.omc.flywheel.shared.JsonLog", true, loader).getMethod("redirect", PrintStream.class)
                    .invoke(null, out);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot redirect the logs of " + loader.getName(), e);
        }
    }

    private static <T> T inContext(ClassLoader loader, Callable<T> work) throws IOException {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return work.call();
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("the handler's constructor failed", cause);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    /** The parent of every function's loader: the JDK (platform loader) and the Lambda runtime interface. */
    private static final class RuntimeInterfaceOnly extends ClassLoader {
        private final ClassLoader runtime;

        RuntimeInterfaceOnly(ClassLoader runtime) {
            super("jdk-and-lambda-runtime-interface", ClassLoader.getPlatformClassLoader());
            this.runtime = runtime;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith(RUNTIME_INTERFACE)) {
                return runtime.loadClass(name);
            }
            return super.loadClass(name, resolve);
        }
    }
}
