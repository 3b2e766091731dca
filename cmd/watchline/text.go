package main

import (
	"io"
	"strings"
	"text/tabwriter"

	"github.com/watchline/watchline/terminal"
)

// printable is terminal.Printable, the one way cmd prints untrusted text.
func printable(s string) string { return terminal.Printable(s) }

// table writes aligned columns of printable cells.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	t.row(header...)
	return t
}

// row writes one line; each cell is made printable, so no cell can add a
// row or a column.
func (t *table) row(cells ...string) error {
	for i, c := range cells {
		cells[i] = printable(c)
	}
	_, err := io.WriteString(t.tw, strings.Join(cells, "\t")+"\n")
	return err
}

func (t *table) flush() error { return t.tw.Flush() }
