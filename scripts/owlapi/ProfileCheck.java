// OWL 2 DL profile check with the OWL API (the library Protégé is built on).
//
// Usage: java -cp CLASSES:JARS ProfileCheck FILE
//
// The parser is pinned by the file extension (.owl/.rdf/.xml RDF/XML, .ttl Turtle, .nt N-Triples,
// .ofn functional syntax, .owx OWL/XML, .omn Manchester): without a format hint the OWL API tries every
// parser and a broken file is "successfully" read by the lenient OBO parser.
// owl:imports are never fetched: every import IRI is mapped to a file that does not exist and missing
// imports are ignored silently (the caller merges what it needs into one file).
//
// Output: one line per finding, tab-separated, so that Python can parse it without a Java stack trace:
//   VIOLATION <tab> kind <tab> entity-or-empty <tab> message
//   UNPARSED  <tab> -    <tab> subject         <tab> triple the parser could not turn into an axiom
//   PARSE     <tab> -    <tab> file            <tab> message (the file could not be read at all)
//   SUMMARY   <tab> axioms=N <tab> violations=N <tab> unparsed=N
// Exit code: 0 in profile, 1 violations or unparsed triples, 3 parse error, 4 usage / internal error.
import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.FunctionalSyntaxDocumentFormat;
import org.semanticweb.owlapi.formats.ManchesterSyntaxDocumentFormat;
import org.semanticweb.owlapi.formats.NTriplesDocumentFormat;
import org.semanticweb.owlapi.formats.OWLXMLDocumentFormat;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.OWLParserException;
import org.semanticweb.owlapi.io.UnparsableOntologyException;
import org.semanticweb.owlapi.io.OWLOntologyLoaderMetaData;
import org.semanticweb.owlapi.io.RDFTriple;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLAxiom;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLEntity;
import org.semanticweb.owlapi.model.OWLNamedObject;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.profiles.Profiles;

public class ProfileCheck {

    static OWLDocumentFormat formatFor(String name) {
        String n = name.toLowerCase();
        if (n.endsWith(".owl") || n.endsWith(".rdf") || n.endsWith(".xml")) return new RDFXMLDocumentFormat();
        if (n.endsWith(".ttl")) return new TurtleDocumentFormat();
        if (n.endsWith(".nt")) return new NTriplesDocumentFormat();
        if (n.endsWith(".ofn")) return new FunctionalSyntaxDocumentFormat();
        if (n.endsWith(".owx")) return new OWLXMLDocumentFormat();
        if (n.endsWith(".omn")) return new ManchesterSyntaxDocumentFormat();
        return null;
    }

    static String clean(Object o) {
        if (o == null) return "";
        return o.toString().replace('\t', ' ').replace('\r', ' ').replace('\n', ' ').trim();
    }

    /** The IRI a violation is about: the offending entity if there is one, else the axiom's first entity. */
    static String entityOf(OWLProfileViolation v) {
        Object e = v.getExpression();
        if (e instanceof IRI) return e.toString();
        if (e instanceof OWLNamedObject) return ((OWLNamedObject) e).getIRI().toString();
        OWLAxiom ax = v.getAxiom();
        if (ax != null) {
            List<String> iris = new ArrayList<>();
            ax.signature().forEach((OWLEntity ent) -> iris.add(ent.getIRI().toString()));
            if (!iris.isEmpty()) {
                Collections.sort(iris);
                return iris.get(0);
            }
        }
        return "";
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.out.println("PARSE\t-\t\tusage: ProfileCheck FILE");
            System.exit(4);
        }
        File file = new File(args[0]);
        OWLDocumentFormat format = formatFor(file.getName());
        if (format == null) {
            System.out.println("PARSE\t-\t" + file + "\tunknown file extension: use .owl, .rdf, .ttl, .nt, .ofn, .owx or .omn");
            System.exit(4);
        }
        if (!file.isFile()) {
            System.out.println("PARSE\t-\t" + file + "\tno such file");
            System.exit(3);
        }
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        File blocked = new File(System.getProperty("java.io.tmpdir"), "bionn-kg-no-network-imports.owl");
        manager.getIRIMappers().add(iri -> IRI.create(blocked));
        OWLOntologyLoaderConfiguration conf = new OWLOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT)
                .setFollowRedirects(false)
                .setReportStackTraces(false);
        OWLOntology ontology;
        try {
            ontology = manager.loadOntologyFromOntologyDocument(new FileDocumentSource(file, format), conf);
        } catch (UnparsableOntologyException exc) {
            StringBuilder sb = new StringBuilder();
            for (OWLParserException pe : exc.getExceptions().values()) {
                Throwable root = pe;
                while (root.getCause() != null && root.getCause() != root) root = root.getCause();
                if (sb.length() > 0) sb.append("; ");
                sb.append(clean(root.getMessage()));
            }
            String msg = sb.length() > 0 ? sb.toString() : clean(exc.getMessage());
            if (msg.length() > 600) msg = msg.substring(0, 600) + " ...";
            System.out.println("PARSE\t-\t" + file + "\t" + msg);
            System.exit(3);
            return;
        } catch (Exception | Error exc) {
            String msg = clean(exc.getMessage());
            if (msg.length() > 600) msg = msg.substring(0, 600) + " ...";
            System.out.println("PARSE\t-\t" + file + "\t" + exc.getClass().getSimpleName() + ": " + msg);
            System.exit(3);
            return;
        }
        int unparsed = 0;
        OWLDocumentFormat loaded = manager.getOntologyFormat(ontology);
        if (loaded != null) {
            Optional<OWLOntologyLoaderMetaData> meta = loaded.getOntologyLoaderMetaData();
            if (meta.isPresent()) {
                List<String> lines = new ArrayList<>();
                meta.get().getUnparsedTriples().forEach((RDFTriple t) ->
                        lines.add("UNPARSED\t-\t" + clean(t.getSubject()) + "\t" + clean(t)));
                Collections.sort(lines);
                for (String l : lines) System.out.println(l);
                unparsed = lines.size();
            }
        }
        OWLProfileReport report = Profiles.OWL2_DL.checkOntology(ontology);
        List<String> lines = new ArrayList<>();
        for (OWLProfileViolation v : report.getViolations()) {
            lines.add("VIOLATION\t" + v.getClass().getSimpleName() + "\t" + entityOf(v) + "\t" + clean(v));
        }
        Collections.sort(lines);
        for (String l : lines) System.out.println(l);
        System.out.println("SUMMARY\taxioms=" + ontology.getAxiomCount() + "\tviolations=" + lines.size()
                + "\tunparsed=" + unparsed);
        System.exit(lines.isEmpty() && unparsed == 0 ? 0 : 1);
    }
}
