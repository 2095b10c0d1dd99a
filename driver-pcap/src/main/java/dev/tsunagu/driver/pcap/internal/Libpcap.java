package dev.tsunagu.driver.pcap.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.tsunagu.driver.nativeio.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * libpcap, bound through the FFM API (no JNI, no JNA, no pcap4j): the calls a live capture
 * with injection needs, and nothing more.
 *
 * <p>The library is looked up under its real names: Debian's {@code libpcap0.8} ships
 * {@code libpcap.so.0.8} (and {@code libpcap.so.1.x}) but {@code libpcap.so} only with
 * {@code libpcap-dev}, so the unversioned name comes last. The system property
 * {@code tsunagu.pcap.library} (a comma-separated list of names or paths) replaces the list.
 *
 * <p>A {@code pcap_t *} is a plain address segment here; the driver owns its life. The
 * functions return what libpcap returns; {@link #geterr} reads the handle's error text.
 */
@SuppressWarnings("restricted") // the point of this class; the JVM needs --enable-native-access for it
public final class Libpcap {
    /** Names tried in order, when the system property does not say otherwise. */
    public static final List<String> NAMES = List.of("libpcap.so.1", "libpcap.so.0.8", "libpcap.so");
    /** The Debian package that provides the library. */
    public static final String DEBIAN_PACKAGE = "libpcap0.8";
    public static final String LIBRARY_PROPERTY = "tsunagu.pcap.library";

    public static final int ERRBUF_SIZE = 256;
    public static final int DLT_EN10MB = 1;
    public static final int D_IN = 1; // pcap_direction_t PCAP_D_IN
    public static final int NETMASK_UNKNOWN = 0xFFFFFFFF;
    /** {@code struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; }} on LP64. */
    public static final long BPF_PROGRAM_SIZE = 16;
    /** {@code struct pcap_pkthdr}: a 16-byte {@code timeval}, then {@code caplen} and {@code len}. */
    public static final long PKTHDR_CAPLEN = 16;

    // pcap_activate results
    public static final int ERROR = -1;
    public static final int ERROR_NO_SUCH_DEVICE = -5;
    public static final int ERROR_PERM_DENIED = -8;
    public static final int ERROR_IFACE_NOT_UP = -9;
    public static final int ERROR_PROMISC_PERM_DENIED = -11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Object LOCK = new Object();
    private static Libpcap shared;
    private static String sharedFailure;

    private final String libraryName;
    private final MethodHandle create;
    private final MethodHandle setSnaplen;
    private final MethodHandle setPromisc;
    private final MethodHandle setImmediateMode;
    private final MethodHandle setBufferSize;
    private final MethodHandle activate;
    private final MethodHandle geterr;
    private final MethodHandle statustostr;
    private final MethodHandle setdirection;
    private final MethodHandle compile;
    private final MethodHandle setfilter;
    private final MethodHandle freecode;
    private final MethodHandle setnonblock;
    private final MethodHandle getSelectableFd;
    private final MethodHandle datalink;
    private final MethodHandle nextEx;
    private final MethodHandle inject;
    private final MethodHandle close;
    private final MethodHandle libVersion;

    /** libpcap could not be loaded; the message names what was tried and the package to install. */
    public static final class MissingException extends Exception {
        private static final long serialVersionUID = 1L;

        MissingException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Libpcap(String libraryName, SymbolLookup lib) {
        this.libraryName = libraryName;
        create = bind(lib, "pcap_create", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        setSnaplen = bind(lib, "pcap_set_snaplen", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        setPromisc = bind(lib, "pcap_set_promisc", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        setImmediateMode = bind(lib, "pcap_set_immediate_mode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        setBufferSize = bind(lib, "pcap_set_buffer_size", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        activate = bind(lib, "pcap_activate", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        geterr = bind(lib, "pcap_geterr", FunctionDescriptor.of(ADDRESS, ADDRESS));
        statustostr = bind(lib, "pcap_statustostr", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        setdirection = bind(lib, "pcap_setdirection", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        compile = bind(lib, "pcap_compile", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        setfilter = bind(lib, "pcap_setfilter", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        freecode = bind(lib, "pcap_freecode", FunctionDescriptor.ofVoid(ADDRESS));
        setnonblock = bind(lib, "pcap_setnonblock", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        getSelectableFd = bind(lib, "pcap_get_selectable_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        datalink = bind(lib, "pcap_datalink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        nextEx = bind(lib, "pcap_next_ex", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        inject = bind(lib, "pcap_inject", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        close = bind(lib, "pcap_close", FunctionDescriptor.ofVoid(ADDRESS));
        libVersion = bind(lib, "pcap_lib_version", FunctionDescriptor.of(ADDRESS));
    }

    private static MethodHandle bind(SymbolLookup lib, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libpcap has no " + name));
        return LINKER.downcallHandle(symbol, fd);
    }

    /** The library, loaded once per JVM under the configured names. */
    public static Libpcap load() throws MissingException {
        synchronized (LOCK) {
            if (shared != null) {
                return shared;
            }
            if (sharedFailure != null) {
                throw new MissingException(sharedFailure, null);
            }
            try {
                shared = load(configuredNames());
                return shared;
            } catch (MissingException e) {
                sharedFailure = e.getMessage();
                throw e;
            }
        }
    }

    /** Why {@link #load()} fails here, or empty when libpcap is available. */
    public static Optional<String> unavailabilityCause() {
        try {
            load();
            return Optional.empty();
        } catch (MissingException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Loads the first of {@code names} that the dynamic linker finds. */
    public static Libpcap load(List<String> names) throws MissingException {
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            SymbolLookup lib;
            try {
                lib = SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException | IllegalCallerException e) {
                failures.add(name);
                continue;
            }
            try {
                return new Libpcap(name, lib);
            } catch (UnsatisfiedLinkError e) {
                throw new MissingException(name + " is not a usable libpcap (" + e.getMessage() + "); install the "
                        + DEBIAN_PACKAGE + " package (apt-get install " + DEBIAN_PACKAGE + ")", e);
            }
        }
        throw new MissingException("libpcap not found (tried " + String.join(", ", failures)
                + "): install the Debian package " + DEBIAN_PACKAGE + " (apt-get install " + DEBIAN_PACKAGE
                + "), or name the library with -D" + LIBRARY_PROPERTY + "=PATH", null);
    }

    static List<String> configuredNames() {
        String p = System.getProperty(LIBRARY_PROPERTY);
        if (p == null || p.isBlank()) {
            return NAMES;
        }
        return Arrays.stream(p.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** The name the library was found under ({@code libpcap.so.1}). */
    public String libraryName() {
        return libraryName;
    }

    /** {@code pcap_lib_version()}: "libpcap version 1.10.3 (with TPACKET_V3)". */
    public String version() {
        try {
            return string((MemorySegment) libVersion.invokeExact());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code pcap_create}: a handle, or {@link MemorySegment#NULL} with the reason in {@code errbuf}. */
    public MemorySegment create(MemorySegment device, MemorySegment errbuf) {
        try {
            return (MemorySegment) create.invokeExact(device, errbuf);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public int setSnaplen(MemorySegment p, int snaplen) {
        return callInt(setSnaplen, p, snaplen);
    }

    public int setPromisc(MemorySegment p, boolean on) {
        return callInt(setPromisc, p, on ? 1 : 0);
    }

    public int setImmediateMode(MemorySegment p, boolean on) {
        return callInt(setImmediateMode, p, on ? 1 : 0);
    }

    public int setBufferSize(MemorySegment p, int bytes) {
        return callInt(setBufferSize, p, bytes);
    }

    public int activate(MemorySegment p) {
        try {
            return (int) activate.invokeExact(p);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public int setDirection(MemorySegment p, int direction) {
        return callInt(setdirection, p, direction);
    }

    public int compile(MemorySegment p, MemorySegment program, MemorySegment expression, boolean optimize, int netmask) {
        try {
            return (int) compile.invokeExact(p, program, expression, optimize ? 1 : 0, netmask);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public int setFilter(MemorySegment p, MemorySegment program) {
        try {
            return (int) setfilter.invokeExact(p, program);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public void freeCode(MemorySegment program) {
        try {
            freecode.invokeExact(program);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public int setNonblock(MemorySegment p, boolean on, MemorySegment errbuf) {
        try {
            return (int) setnonblock.invokeExact(p, on ? 1 : 0, errbuf);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public int selectableFd(MemorySegment p) {
        try {
            return (int) getSelectableFd.invokeExact(p);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public int datalink(MemorySegment p) {
        try {
            return (int) datalink.invokeExact(p);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * {@code pcap_next_ex}: 1 and the header and data pointers stored in {@code header} and
     * {@code data} (each an 8-byte slot), 0 when nothing is waiting (non-blocking), -1 on error.
     * The data stays valid only until the next call on the handle.
     */
    public int nextEx(MemorySegment p, MemorySegment header, MemorySegment data) {
        try {
            return (int) nextEx.invokeExact(p, header, data);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code pcap_inject}: bytes written, or -1 (the reason from {@link #geterr}). */
    public int inject(MemorySegment p, MemorySegment frame, long length) {
        try {
            return (int) inject.invokeExact(p, frame, length);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public void close(MemorySegment p) {
        try {
            close.invokeExact(p);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The handle's last error text. */
    public String geterr(MemorySegment p) {
        try {
            return string((MemorySegment) geterr.invokeExact(p));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** {@code pcap_statustostr}: the text of an activate status ("No such device exists"). */
    public String statusText(int status) {
        try {
            return string((MemorySegment) statustostr.invokeExact(status));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static int callInt(MethodHandle h, MemorySegment p, int value) {
        try {
            return (int) h.invokeExact(p, value);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static String string(MemorySegment s) {
        return s.equals(MemorySegment.NULL) ? "" : s.reinterpret(4096).getString(0);
    }
}
