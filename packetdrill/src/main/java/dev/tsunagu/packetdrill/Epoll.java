package dev.tsunagu.packetdrill;

import dev.tsunagu.packetdrill.LinuxProfile.Unsupported;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One epoll instance of a script ({@code epoll_create}, {@code epoll_ctl}, {@code epoll_wait}
 * without waiting) over the readiness the socket table shows, the same as {@code poll()}'s.
 *
 * <p>Level-triggered, an item is reported while one of its events holds. Edge-triggered
 * ({@code EPOLLET}), as Linux: an item becomes ready on a wake-up of its socket, and
 * {@code epoll_wait} then reports every event that holds at that moment and clears the item
 * until the next wake-up. The wake-ups are read from the socket as it is at each call: data
 * or a FIN arrived since the last look (RCV.NXT moved: Linux wakes the reader on each
 * arrival, drained or not), or an event that did not hold at the last look holds now (room
 * in the send buffer again, an error, the hang-up). Several wake-ups between two calls make
 * one report, as they do on Linux.
 */
final class Epoll {
    /** The events of one descriptor now ({@code EPOLLIN}, {@code EPOLLOUT}, {@code EPOLLERR}, {@code EPOLLHUP}), and how far its data has come. */
    interface Readiness {
        Set<String> events(int fd);

        long receivedUpTo(int fd);
    }

    private static final Set<String> ALWAYS = Set.of("EPOLLERR", "EPOLLHUP");

    private static final class Item {
        final int fd;
        Set<String> interest;
        boolean edge;
        boolean ready;
        Set<String> lastSeen = Set.of();
        long lastReceived;

        Item(int fd) {
            this.fd = fd;
        }
    }

    private final Map<Integer, Item> items = new LinkedHashMap<>();
    private final Readiness readiness;

    Epoll(Readiness readiness) {
        this.readiness = readiness;
    }

    /** {@code epoll_ctl}: null when done, else the errno. */
    String control(String op, int fd, String events) throws Unsupported {
        Set<String> flags = flags(events);
        if (flags.contains("EPOLLONESHOT") || flags.contains("EPOLLEXCLUSIVE") || flags.contains("EPOLLRDHUP")) {
            throw new Unsupported("epoll_ctl events " + events);
        }
        switch (op) {
            case "EPOLL_CTL_ADD" -> {
                if (items.containsKey(fd)) {
                    return "EEXIST";
                }
                Item i = new Item(fd);
                items.put(fd, i);
                set(i, flags);
            }
            case "EPOLL_CTL_MOD" -> {
                Item i = items.get(fd);
                if (i == null) {
                    return "ENOENT";
                }
                set(i, flags);
            }
            case "EPOLL_CTL_DEL" -> {
                if (items.remove(fd) == null) {
                    return "ENOENT";
                }
            }
            default -> throw new Unsupported("epoll_ctl " + op);
        }
        return null;
    }

    /** Adding or changing an item checks it at once, as Linux's {@code ep_insert} and {@code ep_modify} do. */
    private void set(Item i, Set<String> flags) {
        i.edge = flags.remove("EPOLLET");
        i.interest = flags;
        i.lastSeen = held(i);
        i.lastReceived = readiness.receivedUpTo(i.fd);
        i.ready = !i.lastSeen.isEmpty();
    }

    /** A descriptor was closed: it leaves the set. */
    void forget(int fd) {
        items.remove(fd);
    }

    /** One reported item: its descriptor and events. */
    record Event(int fd, Set<String> events) {}

    /** {@code epoll_wait} with a zero timeout: up to {@code max} items that are ready now. */
    List<Event> poll(int max) {
        List<Event> out = new ArrayList<>();
        for (Item i : items.values()) {
            Set<String> now = held(i);
            long received = readiness.receivedUpTo(i.fd);
            if (i.edge) {
                boolean arrived = received != i.lastReceived && now.contains("EPOLLIN");
                boolean newEvent = !i.lastSeen.containsAll(now);
                i.ready |= arrived || newEvent;
            } else {
                i.ready = !now.isEmpty();
            }
            i.lastSeen = now;
            i.lastReceived = received;
            if (i.ready && !now.isEmpty() && out.size() < max) {
                out.add(new Event(i.fd, now));
                if (i.edge) {
                    i.ready = false;
                }
            }
        }
        return out;
    }

    private Set<String> held(Item i) {
        Set<String> now = new TreeSet<>(readiness.events(i.fd));
        now.removeIf(e -> !i.interest.contains(e) && !ALWAYS.contains(e));
        return now;
    }

    /** {@code EPOLLIN|EPOLLOUT} as a set; {@code 0} as none. */
    static Set<String> flags(String text) {
        Set<String> s = new TreeSet<>();
        for (String f : text.replace(" ", "").split("\\|")) {
            if (!f.isEmpty() && !f.equals("0")) {
                s.add(f);
            }
        }
        return s;
    }
}
