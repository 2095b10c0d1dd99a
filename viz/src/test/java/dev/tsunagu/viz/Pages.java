package dev.tsunagu.viz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Reading the pages back in tests: they are well-formed XHTML, so the JDK's XML parser reads them. */
public final class Pages {
    private Pages() {
    }

    public static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    public static List<Element> svgs(Document page, String cssClass) {
        return withClass(page.getDocumentElement(), "svg", cssClass);
    }

    public static Element svg(Document page, String cssClass) {
        List<Element> all = svgs(page, cssClass);
        assertThat(all).as("svg." + cssClass).isNotEmpty();
        return all.getFirst();
    }

    /** The {@code tag} elements under {@code root} whose class list has {@code cssClass} (the legends' samples not counted). */
    public static List<Element> withClass(Element root, String tag, String cssClass) {
        NodeList nodes = root.getElementsByTagName(tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            List<String> classes = List.of(e.getAttribute("class").split(" "));
            if (classes.contains(cssClass) && !classes.contains("legend")) {
                out.add(e);
            }
        }
        return out;
    }
}
