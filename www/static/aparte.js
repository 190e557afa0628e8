/*
 * aparte.js: optional help for the pages of a site that uses Aparté.
 * Everything works without it; it only adds.  No dependency, no
 * document.write, no innerHTML: it works the same in pages served as
 * text/html and as application/xhtml+xml, under the backend's
 * Content-Security-Policy.
 *
 * Embedding, for hosts without SSI:
 *
 *     <div class="embed" data-aparte-embed="/aparte/comments?page=/blog/x">
 *       <p><a href="/aparte/comments?page=/blog/x">Lire les commentaires</a></p>
 *     </div>
 *
 * fetches the address with fragment=1 (same origin only), parses the
 * answer with DOMParser, imports its nodes and puts them in place of the
 * div's content.  On any error (network, 404, 503 ...) the content (the
 * link) stays as it is.  When the address of the page names an anchor
 * inside the fragment (#comment-12), the page scrolls to it.
 *
 * Forms:
 *   - a textarea with maxlength gets a counter of the characters left
 *     under it (p.counter, read with the field; announced to screen
 *     readers only near the limit);
 *   - a .button.danger (or button.danger) asks for confirmation first,
 *     with the text of its data-confirm attribute when it has one.
 *
 * window.aparte.enhance(element) does the same for content added later.
 */
(function () {
	'use strict';

	var XHTML = 'http://www.w3.org/1999/xhtml';
	var doc = document;
	var texts = {
		fr: {
			confirm: 'Confirmez-vous cette action\u202f? Elle ne pourra pas être annulée.',
			left: function (n) {
				return n.toLocaleString('fr') +
				    (n > 1 ? ' caractères restants' : ' caractère restant');
			},
			over: function (n) {
				return n.toLocaleString('fr') +
				    (n > 1 ? ' caractères en trop' : ' caractère en trop');
			}
		},
		en: {
			confirm: 'Do you confirm this action? It cannot be undone.',
			left: function (n) {
				return n.toLocaleString('en') +
				    (n === 1 ? ' character left' : ' characters left');
			},
			over: function (n) {
				return n.toLocaleString('en') +
				    (n === 1 ? ' character too many' : ' characters too many');
			}
		}
	};
	var counterSeq = 0;

	/* The language of el (its nearest lang attribute), among those we
	 * have texts for. */
	function tr(el) {
		var l = '';
		for (var e = el; e && e.getAttribute; e = e.parentNode) {
			l = e.getAttribute('lang') || e.getAttributeNS(
			    'http://www.w3.org/XML/1998/namespace', 'lang') || '';
			if (l)
				break;
		}
		return texts[l.slice(0, 2).toLowerCase()] || texts.fr;
	}

	function make(name, cls) {
		var e = doc.createElementNS(XHTML, name);

		if (cls)
			e.setAttribute('class', cls);
		return e;
	}

	/* ---- embedding ---- */

	function embed(el) {
		var src = el.getAttribute('data-aparte-embed');
		var url;

		if (el.hasAttribute('data-aparte-state') || !src)
			return;
		try {
			url = new URL(src, doc.baseURI);
		} catch (e) {
			return;
		}
		if (url.origin !== location.origin)
			return;   /* only the site's own backend */
		url.searchParams.set('fragment', '1');
		el.setAttribute('data-aparte-state', 'loading');
		el.setAttribute('aria-busy', 'true');
		fetch(url.href, {
			credentials: 'same-origin',
			headers: { Accept: 'text/html' }
		}).then(function (res) {
			if (!res.ok)
				throw new Error('HTTP ' + res.status);
			return res.text();
		}).then(function (text) {
			var parsed = new DOMParser().parseFromString(text, 'text/html');
			var body = parsed.body;
			var frag = doc.createDocumentFragment();

			if (!body || !body.firstElementChild)
				throw new Error('empty fragment');
			while (body.firstChild) {
				frag.appendChild(doc.importNode(body.firstChild, true));
				body.removeChild(body.firstChild);
			}
			while (el.firstChild)
				el.removeChild(el.firstChild);
			el.appendChild(frag);
			el.setAttribute('data-aparte-state', 'loaded');
			enhance(el);
			if (location.hash.length > 1) {
				var id = decodeURIComponent(location.hash.slice(1));
				var target = doc.getElementById(id);

				if (target && el.contains(target))
					target.scrollIntoView();
			}
		}).catch(function () {
			el.setAttribute('data-aparte-state', 'failed');
		}).then(function () {
			el.removeAttribute('aria-busy');
		});
	}

	/* ---- characters left ---- */

	function counter(ta) {
		var max = parseInt(ta.getAttribute('maxlength'), 10);
		var field = ta.parentNode;
		var p, live, said = -1;

		if (!(max > 0) || ta.hasAttribute('data-aparte-counter') || !field)
			return;
		ta.setAttribute('data-aparte-counter', '');
		if (!ta.id)
			ta.id = 'aparte-ta-' + (++counterSeq);
		p = make('p', 'counter');
		p.id = ta.id + '-count';
		/* Announced only when crossing these marks, not at each key. */
		live = make('span', 'visually-hidden');
		live.setAttribute('aria-live', 'polite');
		ta.parentNode.insertBefore(p, ta.nextSibling);
		p.parentNode.insertBefore(live, p.nextSibling);
		ta.setAttribute('aria-describedby', ((ta.getAttribute(
		    'aria-describedby') || '') + ' ' + p.id).trim());

		function update() {
			var t = tr(ta);
			var left = max - ta.value.length;
			var marks = [100, 20, 0];
			var mark = -1;

			p.textContent = left >= 0 ? t.left(left) : t.over(-left);
			p.setAttribute('class', left <= Math.min(20, max / 10) ?
			    'counter low' : 'counter');
			for (var i = 0; i < marks.length; i++)
				if (left <= marks[i] && marks[i] < max / 2)
					mark = marks[i];
			if (mark !== said) {
				said = mark;
				live.textContent = mark >= 0 ? p.textContent : '';
			}
		}
		ta.addEventListener('input', update);
		update();
	}

	/* ---- confirmation of destructive actions ---- */

	function onClick(ev) {
		var t = ev.target;
		var b = t && t.closest ? t.closest('.button.danger, button.danger') :
		    null;

		if (!b || b.hasAttribute('disabled'))
			return;
		if (!window.confirm(b.getAttribute('data-confirm') || tr(b).confirm)) {
			ev.preventDefault();
			ev.stopPropagation();
		}
	}

	function enhance(root) {
		var i, list;

		root = root || doc;
		list = root.querySelectorAll('[data-aparte-embed]');
		for (i = 0; i < list.length; i++)
			embed(list[i]);
		list = root.querySelectorAll('textarea[maxlength]');
		for (i = 0; i < list.length; i++)
			counter(list[i]);
	}

	if (!window.fetch || !window.DOMParser || !doc.querySelectorAll ||
	    !window.URL)
		return;
	window.aparte = { enhance: enhance };
	doc.addEventListener('click', onClick, true);
	if (doc.readyState === 'loading')
		doc.addEventListener('DOMContentLoaded', function () {
			enhance(doc);
		});
	else
		enhance(doc);
}());
