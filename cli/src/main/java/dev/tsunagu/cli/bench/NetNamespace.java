package dev.tsunagu.cli.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace for {@code bench --driver tap}, made with {@code ip netns}, deleted on
 * close; and a way to make kernel sockets inside it from this JVM.
 *
 * <p>A socket belongs to the namespace of the thread that created it, for life. {@link #call}
 * runs its task on a fresh platform thread that first joins the namespace ({@code setns(2)}
 * through FFM), so the JDK sockets the task opens live there, while this JVM's other threads,
 * and the TAP whose kernel side was moved in, stay where they are.
 */
final class NetNamespace implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x4000_0000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;

    final String name;

    private NetNamespace(String name) {
        this.name = name;
    }

    static NetNamespace create(String name) throws IOException {
        sh("ip", "netns", "add", name);
        NetNamespace ns = new NetNamespace(name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
            return ns;
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /** Runs a command inside the namespace; fails with its output unless it exits 0. */
    void exec(String... command) throws IOException {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", name));
        c.addAll(List.of(command));
        sh(c.toArray(String[]::new));
    }

    /** Runs {@code task} on a new thread inside this namespace and returns its result. */
    <T> T call(Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().name("netns-" + name).daemon(true).start(() -> {
            try {
                enter();
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    private void enter() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle open = linker.downcallHandle(linker.defaultLookup().findOrThrow("open"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        MethodHandle setns = linker.downcallHandle(linker.defaultLookup().findOrThrow("setns"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().findOrThrow("close"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom("/run/netns/" + name);
            int fd = (int) open.invokeExact(path, O_RDONLY_CLOEXEC);
            if (fd < 0) {
                throw new IOException("cannot open /run/netns/" + name);
            }
            int rc = (int) setns.invokeExact(fd, CLONE_NEWNET);
            int ignored = (int) close.invokeExact(fd);
            if (rc != 0) {
                throw new IOException("setns into " + name + " failed (needs CAP_SYS_ADMIN)");
            }
        }
    }

    @Override
    public void close() {
        try {
            sh("ip", "netns", "del", name);
        } catch (IOException e) {
            System.err.println("bench: could not delete network namespace " + name + ": " + e.getMessage());
        }
    }

    static void sh(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
        }
    }
}
