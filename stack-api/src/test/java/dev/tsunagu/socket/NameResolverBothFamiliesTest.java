package dev.tsunagu.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.net.AddressFamily;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link NameResolver#lookupBothFamilies}: RFC 8305's query order and address order, and which failure counts. */
class NameResolverBothFamiliesTest {
    private static final InetAddress V4A = InetAddress.ofLiteral("192.0.2.1");
    private static final InetAddress V4B = InetAddress.ofLiteral("192.0.2.2");
    private static final InetAddress V6A = InetAddress.ofLiteral("2001:db8::1");
    private static final InetAddress V6B = InetAddress.ofLiteral("2001:db8::2");

    /** Answers from a table; a missing family fails as NODATA would. Records the order asked. */
    private static final class Table implements NameResolver {
        final Map<AddressFamily, List<InetAddress>> answers;
        final List<AddressFamily> asked = new ArrayList<>();

        Table(Map<AddressFamily, List<InetAddress>> answers) {
            this.answers = answers;
        }

        @Override
        public CompletableFuture<List<InetAddress>> resolve(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<InetAddress> lookup(String name) throws UnknownHostException {
            return lookup(name, AddressFamily.IPV4);
        }

        @Override
        public List<InetAddress> lookup(String name, AddressFamily family) throws UnknownHostException {
            asked.add(family);
            List<InetAddress> a = answers.get(family);
            if (a == null) {
                throw new NoSuchHostException(name + ": no " + family + " address");
            }
            return a;
        }
    }

    @Test
    void rfc8305Section3AsksAaaaFirstAndSection4InterleavesStartingWithIpv6() throws Exception {
        Table t = new Table(Map.of(AddressFamily.IPV4, List.of(V4A, V4B), AddressFamily.IPV6, List.of(V6A, V6B)));

        assertThat(t.lookupBothFamilies("dual.test")).containsExactly(V6A, V4A, V6B, V4B);
        assertThat(t.asked).containsExactly(AddressFamily.IPV6, AddressFamily.IPV4);
    }

    @Test
    void oneFamilyMissingIsNoFailure() throws Exception {
        assertThat(new Table(Map.of(AddressFamily.IPV4, List.of(V4A))).lookupBothFamilies("v4.test")).containsExactly(V4A);
        assertThat(new Table(Map.of(AddressFamily.IPV6, List.of(V6A))).lookupBothFamilies("v6.test")).containsExactly(V6A);
    }

    @Test
    void bothMissingThrowsTheIpv4Failure() {
        assertThatThrownBy(() -> new Table(Map.of()).lookupBothFamilies("none.test"))
                .isInstanceOf(NoSuchHostException.class).hasMessage("none.test: no " + AddressFamily.IPV4 + " address");
    }

    @Test
    void aLiteralAnsweringBothLookupsAppearsOnce() throws Exception {
        Table t = new Table(Map.of(AddressFamily.IPV4, List.of(V4A), AddressFamily.IPV6, List.of(V4A)));

        assertThat(t.lookupBothFamilies("192.0.2.1")).containsExactly(V4A);
    }

    @Test
    void aResolverWithoutIpv6AnswersIpv6WithNoSuchHost() {
        NameResolver v4only = new NameResolver() {
            @Override
            public CompletableFuture<List<InetAddress>> resolve(String name) {
                return CompletableFuture.completedFuture(List.of(V4A));
            }

            @Override
            public List<InetAddress> lookup(String name) {
                return List.of(V4A);
            }
        };

        assertThatThrownBy(() -> v4only.lookup("x.test", AddressFamily.IPV6)).isInstanceOf(NoSuchHostException.class);
    }
}
