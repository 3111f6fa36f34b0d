package llmtest

import (
	"fmt"
	"strings"
)

// LongAnswer returns a Markdown answer of at least n bytes as models write them: headings,
// paragraphs, lists, tables and Go code indented with tabs. It ends with the line
// "End of the answer.", which a test can wait for.
func LongAnswer(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "## Step %d\n\nThe **parser** in `parse.go` drops the last token when the input ends without a newline; "+
			"this step makes `next` return it and adds a test that would have caught it.\n\n", i)
		fmt.Fprintf(&b, "- read the token at `%d`\n- keep the *position*\n  for the error message\n- return it\n\n", i)
		fmt.Fprintf(&b, "```go\nfunc next%d(s *scanner) (token, error) {\n\tfor s.pos < len(s.src) {\n\t\tif s.src[s.pos] == '\\n' {\n\t\t\treturn s.emit()\n\t\t}\n\t\ts.pos++\n\t}\n\n\treturn s.emit() // the last token\n}\n```\n\n", i)
		fmt.Fprintf(&b, "| case | before | after |\n|---|---|---|\n| no newline | lost | kept |\n| %d tokens | %d | %d |\n\n", i, i, i+1)
	}
	b.WriteString("End of the answer.")
	return b.String()
}
