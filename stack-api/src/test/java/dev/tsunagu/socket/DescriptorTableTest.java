package dev.tsunagu.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DescriptorTableTest {
    @Test
    void handsOutTheLowestFreeNumberFromThree() {
        DescriptorTable t = new DescriptorTable();
        assertThat(t.allocate("a")).isEqualTo(3);
        assertThat(t.allocate("b")).isEqualTo(4);
        assertThat(t.allocate("c")).isEqualTo(5);
        t.release(4);
        assertThat(t.lookup(4)).isNull();
        assertThat(t.allocate("d")).isEqualTo(4);
        assertThat(t.allocate("e")).isEqualTo(6);
        assertThat(t.size()).isEqualTo(4);
        assertThat(t.descriptors()).containsExactly(3, 4, 5, 6);
        assertThat(t.snapshot()).containsEntry(4, "d").hasSize(4);
    }

    @Test
    void releaseOfAFreeNumberAndReplaceOfAFreeNumber() {
        DescriptorTable t = new DescriptorTable();
        t.release(3);
        t.release(-1);
        t.release(1_000_000);
        assertThat(t.size()).isZero();
        int fd = t.allocate("x");
        t.replace(fd, "y");
        assertThat(t.lookup(fd)).isEqualTo("y");
        assertThatThrownBy(() -> t.replace(fd + 1, "z")).isInstanceOf(IllegalArgumentException.class);
        assertThat(t.lookup(2)).isNull();
    }

    @Test
    void agreesWithASimpleModelUnderRandomUse() {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        DescriptorTable t = new DescriptorTable();
        TreeMap<Integer, Object> model = new TreeMap<>();
        for (int i = 0; i < 20_000; i++) {
            if (model.isEmpty() || r.nextInt(3) != 0) {
                int expected = DescriptorTable.FIRST;
                while (model.containsKey(expected)) {
                    expected++;
                }
                Object s = "s" + i;
                assertThat(t.allocate(s)).as("seed %d, step %d", seed, i).isEqualTo(expected);
                model.put(expected, s);
            } else {
                int fd = model.keySet().stream().skip(r.nextInt(model.size())).findFirst().orElseThrow();
                t.release(fd);
                model.remove(fd);
            }
        }
        assertThat(t.snapshot()).as("seed %d", seed).isEqualTo(model);
        assertThat(t.size()).isEqualTo(model.size());
    }

    @Test
    void aHundredThousandAllocationsStayCheap() {
        DescriptorTable t = new DescriptorTable();
        for (int i = 0; i < 100_000; i++) {
            assertThat(t.allocate(i)).isEqualTo(DescriptorTable.FIRST + i);
        }
        t.release(50_000);
        assertThat(t.allocate("again")).isEqualTo(50_000);
        assertThat(t.allocate("next")).isEqualTo(100_000 + DescriptorTable.FIRST);
    }
}
