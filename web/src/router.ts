// A small History-API router: path patterns with :params, links with
// data-link are intercepted. The server answers index.html for every page
// path (SPA fallback), so deep links and reloads work.
export type Params = Record<string, string>;
export type PageRender = (outlet: HTMLElement, params: Params, query: URLSearchParams) => void | (() => void) | Promise<void | (() => void)>;

interface RouteDef {
  parts: string[];
  render: PageRender;
}

export class Router {
  private routes: RouteDef[] = [];
  private cleanup: (() => void) | void = undefined;
  private notFound: PageRender = () => {};

  constructor(private readonly outlet: () => HTMLElement, private readonly onChange: (path: string) => void) {
    window.addEventListener('popstate', () => void this.resolve());
    document.addEventListener('click', e => {
      const a = (e.target as HTMLElement).closest('a[data-link]') as HTMLAnchorElement | null;
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      this.go(a.getAttribute('href') ?? '/');
    });
  }

  add(pattern: string, render: PageRender): this {
    this.routes.push({ parts: pattern.split('/').filter(Boolean), render });
    return this;
  }
  fallback(render: PageRender): this {
    this.notFound = render;
    return this;
  }
  go(href: string, replace = false): void {
    if (replace) history.replaceState(null, '', href);
    else history.pushState(null, '', href);
    void this.resolve();
  }

  async resolve(): Promise<void> {
    if (typeof this.cleanup === 'function') this.cleanup();
    this.cleanup = undefined;
    const parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const query = new URLSearchParams(location.search);
    const outlet = this.outlet();
    outlet.replaceChildren();
    this.onChange(location.pathname);
    for (const route of this.routes) {
      if (route.parts.length !== parts.length) continue;
      const params: Params = {};
      const ok = route.parts.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = parts[i]), true) : p === parts[i]));
      if (ok) {
        this.cleanup = await route.render(outlet, params, query);
        return;
      }
    }
    await this.notFound(outlet, {}, query);
  }
}
