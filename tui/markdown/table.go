package markdown

import (
	"slices"
	"strings"

	extast "github.com/yuin/goldmark/extension/ast"
)

// table renders a GitHub table: the header in bold over a rule, the columns apart by a bar,
// each column as wide as its widest cell, or narrower when the table would not fit, its cells
// wrapped then, and aligned as the delimiter row says.
func (c *context) table(t *extast.Table, width int) []string {
	var rows [][][]span // rows of cells
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		st := textStyle
		if _, ok := r.(*extast.TableHeader); ok {
			st.attr |= bold
		}
		var cells [][]span
		for cell := r.FirstChild(); cell != nil; cell = cell.NextSibling() {
			cells = append(cells, c.inline(cell, st, nil))
		}
		rows = append(rows, cells)
	}
	n := len(t.Alignments)
	for _, r := range rows {
		n = max(n, len(r))
	}
	if n == 0 {
		return nil
	}
	natural := make([]int, n)
	for _, r := range rows {
		for i, cell := range r {
			natural[i] = max(natural[i], wrap(cell, 1<<30)[0].width)
		}
	}
	widths := fit(natural, width-3*n+1)

	sep := styled("│", ruleStyle)
	var out []string
	for ri, r := range rows {
		cells := make([][]line, n)
		height := 1
		for i := range n {
			if i < len(r) {
				cells[i] = wrap(r[i], widths[i])
			}
			height = max(height, len(cells[i]))
		}
		for k := range height {
			var b strings.Builder
			b.WriteByte(' ')
			for i := range n {
				if i > 0 {
					b.WriteString(" " + sep + " ")
				}
				var l line
				if k < len(cells[i]) {
					l = cells[i][k]
				}
				left, right := align(t, i, widths[i]-l.width)
				b.WriteString(strings.Repeat(" ", left) + l.String())
				if i < n-1 {
					b.WriteString(strings.Repeat(" ", right))
				}
			}
			out = append(out, strings.TrimRight(b.String(), " "))
		}
		if ri == 0 {
			parts := make([]string, n)
			for i, w := range widths {
				parts[i] = strings.Repeat("─", w+2)
			}
			out = append(out, styled(strings.Join(parts, "┼"), ruleStyle))
		}
	}
	return out
}

// align splits the room left in a cell of column i into the spaces before and after its text.
func align(t *extast.Table, i, room int) (left, right int) {
	room = max(room, 0)
	a := extast.AlignNone
	if i < len(t.Alignments) {
		a = t.Alignments[i]
	}
	switch a {
	case extast.AlignRight:
		return room, 0
	case extast.AlignCenter:
		return room / 2, room - room/2
	}
	return 0, room
}

// fit returns column widths for columns of the natural widths given within room cells: as
// they are when they fit, else the narrow columns keep their width and the wide ones share
// what is left equally. No column is narrower than one cell.
func fit(natural []int, room int) []int {
	widths := slices.Clone(natural)
	total := 0
	for _, w := range natural {
		total += w
	}
	if total <= room {
		return widths
	}
	order := make([]int, len(natural))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return natural[a] - natural[b] })
	left := len(order)
	for _, i := range order {
		share := max(room/left, 1)
		widths[i] = max(min(natural[i], share), 1)
		room -= widths[i]
		left--
	}
	return widths
}
