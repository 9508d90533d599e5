"""The two string edges of `derive`: hand-written LaTeX in (parse), LaTeX out (render)."""
