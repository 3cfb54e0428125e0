// The self-assessment's interface labels, read from widgets/data/ui-labels.json (the file Python
// reads too, validated against widgets/data/ui-labels.schema.json). esbuild bundles it into the
// notebook front-end; on the site the build serves the file beside the modules.
import labels from "../../data/ui-labels.json" with { type: "json" };

export default labels;
