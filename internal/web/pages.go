package web

import (
	"fmt"
	"html/template"
	"io"
	"slices"
)

// pages holds one template set per page, each the layout plus the page.
type pages struct {
	sets map[string]*template.Template
}

var pageNames = []string{"overview", "target", "signin", "error"}

// documents are pages of their own, without the layout: the printable
// bulletin is a document to print, not a page of the site.
var documents = []string{"bulletin"}

func parsePages() (*pages, error) {
	base, err := template.New("layout.html").ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, n := range pageNames {
		b, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := b.ParseFS(assets, "templates/"+n+".html"); err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		p.sets[n] = b
	}
	for _, n := range documents {
		d, err := template.New(n+".html").ParseFS(assets, "templates/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		p.sets[n] = d
	}
	return p, nil
}

func (p *pages) execute(w io.Writer, name string, v *view) error {
	t, ok := p.sets[name]
	if !ok {
		return fmt.Errorf("no page %q", name)
	}
	if slices.Contains(documents, name) {
		return t.ExecuteTemplate(w, name+".html", v)
	}
	return t.ExecuteTemplate(w, "layout.html", v)
}
