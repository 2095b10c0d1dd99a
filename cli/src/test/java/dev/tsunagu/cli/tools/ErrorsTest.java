package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Wrong input gives one clear line on stderr and exit 2 (usage) or 1 (failure), never a stack
 * trace. (Port in use: {@link ServeCommandTest}; bad URLs: {@link HttpGetCommandTest}; no
 * permission for a TAP: {@link TapCommandTest}.)
 */
class ErrorsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad host address     | ping 10.0.0.256                         | not an IPv4 address",
        "IPv6 host, no IPv6 --ip | ping fd00::1                         | fd00::1 is an IPv6 address; give the stack one too",
        "bad IPv6 --ip        | ping --ip fd00::2/129 fd00::1           | --ip",
        "IPv6 DNS server, no IPv6 --ip | resolve --dns [fd00::1]:53 www.example.test | --dns: fd00::1 is an IPv6 address; give the stack one too",
        "IPv6 gateway, no IPv6 --ip | ping --gateway fd00::1 10.0.0.1   | --gateway: fd00::1 is an IPv6 address; give the stack one too",
        "two IPv4 gateways    | ping --gateway 10.0.0.1 --gateway 10.0.0.9 10.0.0.1 | --gateway: one per family",
        "bad --ip             | ping --ip 10.0.0.2/33 10.0.0.1          | --ip",
        "--ip without length  | ping --ip 10.0.0.2 10.0.0.1             | want ADDR/LEN",
        "bad --gateway        | ping --gateway 10.0.0 10.0.0.1          | --gateway",
        "unknown driver       | ping --driver nosuch:eth0 10.0.0.1      | unknown link driver 'nosuch' (installed: ",
        "malformed driver     | ping --driver :x 10.0.0.1               | --driver: bad driver name",
        "bad port             | nc 10.0.0.1 70000                       | want a port number 1-65535",
        "bad interval         | ping -i soon 10.0.0.1                   | want seconds",
        "bad mtu              | ping --mtu 20 10.0.0.1                  | --mtu: want 68-65535",
        "bad count            | ping -c -1 10.0.0.1                     | -c: want a count",
        "unknown option       | ping --frobnicate 10.0.0.1              | Unknown option: '--frobnicate'",
        "missing parameter    | http-get                                | Missing required parameter",
        "unknown command      | pong                                    | Unmatched argument at index 0: 'pong'",
    })
    void usageErrorsAreOneLineAndExitTwo(String what, String commandLine, String message) {
        Cli.Result r = Cli.run(commandLine.trim().split("\\s+"));

        assertThat(r.exit()).as(what + ": " + r.err()).isEqualTo(2);
        assertThat(r.errLines()).as(what).singleElement().asString().startsWith("tsunagu: ").contains(message);
        assertThat(r.out()).as(what).isEmpty();
    }

    @Test
    void aDriverThatCannotStartIsOneLineAndExitOne() {
        // A parameter the cable driver does not know: the driver refuses to start.
        Cli.Result r = Cli.run("ping", "--driver", "cable:x,speed=10", "10.0.0.1");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().isEqualTo(
                "tsunagu: bad spec 'cable:x,speed=10': unknown cable parameter 'speed' (known: mtu, offload, medium)");
    }
}
