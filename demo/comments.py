"""Demo content of the comments plugin: the discussion below the article
"Partager son temps ?" (/blog/partager-son-temps), threaded, with a few
comments waiting for a moderator and a few spam samples, so that every
feature shows.  Everyone here is fictional; the addresses use reserved
names (.example).  The tests use it as data."""

PAGE = '/blog/partager-son-temps'
TITLE = 'Partager son temps ?'

# (key, parent key, status, days ago, author, email, website, notify, text,
#  filter verdict, score, reasons)
COMMENTS = [
    ('claire', None, 'approved', 21.2, 'Claire Moreau-Vidal',
     'claire.moreau-vidal@cabinet-moreau.example',
     'https://cabinet-moreau.example/', 1,
     "Je suis directrice financière à temps partagé depuis six ans : deux "
     "jours par semaine chez un industriel de la Drôme, un jour chez une "
     "association d’aide à domicile, et le reste en missions courtes.\n\n"
     "Ce que l’article dit juste : on n’achète pas des heures, on achète un "
     "regard. Ce qu’il ne dit pas assez : cela ne marche que si le dirigeant "
     "accepte de préparer nos journées. Une journée sur place mal préparée, "
     "c’est une journée perdue pour tout le monde.",
     'ham', 0.04, None),
    ('jb', 'claire', 'approved', 20.9, 'Jean-Baptiste Roux',
     'jb.roux@menuiserie-roux.example', None, 1,
     "Merci pour ce témoignage. Je dirige une menuiserie de quarante "
     "personnes et j’hésite justement.\n"
     "Question franche : comment gérez-vous la confidentialité quand vous "
     "travaillez pour plusieurs entreprises en même temps ?",
     'ham', 0.02, None),
    ('claire2', 'jb', 'approved', 20.7, 'Claire Moreau-Vidal',
     'claire.moreau-vidal@cabinet-moreau.example',
     'https://cabinet-moreau.example/', 1,
     "Par des règles simples et écrites : jamais deux clients du même "
     "secteur, un engagement de confidentialité signé dès le premier jour, "
     "un ordinateur et des accès propres à chaque client.\n\n"
     "Et, surtout, je le dis à chacun : vous saurez toujours pour qui "
     "d’autre je travaille, jamais ce que j’y fais.",
     'ham', 0.03, None),
    ('jb2', 'claire2', 'approved', 20.5, 'Jean-Baptiste Roux',
     'jb.roux@menuiserie-roux.example', None, 0,
     "C’est clair. Et quand il y a une urgence un jour où vous n’êtes pas "
     "chez nous ?",
     'ham', 0.05, None),
    ('claire3', 'jb2', 'approved', 20.3, 'Claire Moreau-Vidal',
     'claire.moreau-vidal@cabinet-moreau.example',
     'https://cabinet-moreau.example/', 1,
     "On convient d’avance de ce qui est une urgence (une banque qui "
     "appelle, un contrôle fiscal, un client qui fait défaut) et d’un "
     "créneau où je réponds dans la journée. Le temps partagé n’est pas une "
     "astreinte ; mais personne ne reste seul face à un vrai problème.",
     'ham', 0.02, None),
    ('helene', 'claire3', 'approved', 19.8, 'Hélène Vasseur',
     'helene.vasseur@atelier-vasseur.example', None, 0,
     "Je confirme pour l’avoir vécu côté client : notre DAF à temps partagé "
     "a répondu un samedi matin le jour où notre assureur nous a lâchés. "
     "Une fois en trois ans, et c’était la bonne.",
     'ham', 0.06, None),
    ('nadia', 'claire', 'approved', 19.5, 'Nadia Benali',
     'nadia.benali@rh-partage.example', 'https://rh-partage.example/', 0,
     "Côté ressources humaines, j’ajouterais la question des équipes. Un "
     "responsable présent deux jours par semaine doit être annoncé, "
     "expliqué, et avoir un relais sur place. Sinon les salariés le "
     "vivent comme un consultant de passage, et rien ne change.",
     'ham', 0.03, None),
    ('pyk', None, 'approved', 18.0, 'Pierre-Yves Kermarrec',
     'pykermarrec@breizh-conseil.example', None, 0,
     "Je serai la voix discordante. Porter une transformation de fond avec "
     "quelqu’un qui n’est là que deux jours par semaine, j’y crois peu. Les "
     "décisions se prennent aussi à la machine à café.",
     'unsure', 0.41, None),
    ('sophie', 'pyk', 'approved', 17.6, 'Sophie Delaunay',
     'sophie.delaunay@delaunay-qualite.example', None, 0,
     "Tout dépend de la mission. Je suis intervenue deux mois, trois jours "
     "par semaine, pour une seule chose : faire passer une certification "
     "qualité qui bloquait un gros contrat. Pas de transformation, un "
     "problème difficile et une date. Le temps partagé est fait pour ça "
     "aussi.",
     'ham', 0.04, None),
    ('pyk2', 'sophie', 'approved', 17.1, 'Pierre-Yves Kermarrec',
     'pykermarrec@breizh-conseil.example', None, 0,
     "Sur ce type de mission, d’accord. J’avais en tête le poste de "
     "direction durable. Pour ceux que le sujet intéresse, j’en parlais "
     "ici : https://breizh-conseil.example/temps-partage-et-direction.",
     'ham', 0.12, None),
    ('amandine', None, 'approved', 14.3, 'Amandine Leroux',
     'amandine.leroux@studio-leroux.example', None, 1,
     "Question pratique pour les experts du réseau : comment fixez-vous vos "
     "tarifs ? Au jour, au mois, au forfait ? J’ai peur de me tromper pour "
     "ma première mission.",
     'ham', 0.05, None),
    ('karim', 'amandine', 'approved', 14.0, 'Karim Haddad',
     'karim.haddad@haddad-logistique.example',
     'https://haddad-logistique.example/', 0,
     "Au forfait mensuel, pour ma part, sur un nombre de jours convenu. Le "
     "prix à la journée pousse chacun à compter les heures au lieu de "
     "regarder les résultats.\n\n"
     "Prévoyez aussi une clause de révision à trois mois : on découvre "
     "toujours en route des choses que personne n’avait vues.",
     'ham', 0.02, None),
    ('claire4', 'amandine', 'approved', 13.6, 'Claire Moreau-Vidal',
     'claire.moreau-vidal@cabinet-moreau.example',
     'https://cabinet-moreau.example/', 1,
     "Je rejoins Karim. Et écrivez le périmètre noir sur blanc, avec ce que "
     "vous ne ferez pas : c’est la meilleure protection des deux côtés.",
     'ham', 0.03, None),
    ('bernard', None, 'approved', 9.4, 'Bernard Fontaine',
     'bernard.fontaine@orange-retraite.example', None, 0,
     "Ancien directeur informatique d’un groupe de distribution, j’ai "
     "choisi le temps partagé à cinquante-huit ans plutôt qu’une retraite "
     "sèche.\n\n"
     "Trois petites entreprises, une journée chacune par semaine. Je "
     "transmets ce que j’ai appris en trente ans, à un rythme qui me laisse "
     "vivre.\n\n"
     "Aucun regret, si ce n’est de ne pas l’avoir fait plus tôt.",
     'ham', 0.03, None),
    ('lucie', None, 'approved', 5.2, 'Lucie Perrin',
     'lucie.perrin@perrin-marketing.example', None, 0,
     "On parle peu de la solitude de l’expert à temps partagé : pas de "
     "collègues, pas de pot de départ, personne à qui demander un avis. "
     "C’est pour cela que j’ai rejoint un réseau comme celui-ci.",
     'ham', 0.04, None),
    ('equipe', 'lucie', 'approved', 5.0, 'L’équipe du réseau',
     'contact@reseau-temps-partage.example',
     'https://reseau-temps-partage.example/', 0,
     "Merci Lucie. C’est exactement pour cela que nous organisons une "
     "rencontre par mois, à Lyon et en visio : on y parle des missions, des "
     "contrats, et de tout ce qu’on ne peut dire à un client.",
     None, None, None),
    # waiting for a moderator
    ('gaelle', None, 'pending', 1.3, 'Gaëlle Martin',
     'gaelle.martin@asso-entraide.example', None, 1,
     "Existe-t-il des missions à temps partagé dans le secteur associatif ? "
     "Nos moyens sont modestes, mais nos besoins de gestion sont bien "
     "réels.",
     'unsure', 0.38, 'premier commentaire de cette adresse e-mail'),
    ('olivier', 'karim', 'pending', 0.8, 'Olivier Brun',
     'olivier.brun@brun-finance.example', 'https://brun-finance.example/', 0,
     "Pour les grilles de prix, voici trois sources utiles : "
     "https://brun-finance.example/grille, "
     "https://observatoire-independants.example/tarifs et "
     "https://guide-freelance.example/temps-partage.",
     'unsure', 0.52, '3 liens (plus de 2)'),
    ('fabien', 'bernard', 'pending', 0.4, 'Fabien Garnier',
     'fabien.garnier@garnier-it.example', None, 0,
     "Très beau parcours, Bernard. Accepteriez-vous d’en parler lors d’une "
     "rencontre du réseau ?",
     'unsure', 0.33, 'premier commentaire de cette adresse e-mail'),
    # caught as spam (kept, with the filter's reasons)
    ('spam1', None, 'spam', 2.1, 'Argent Facile',
     'gains@gains-faciles.example', 'http://gains-faciles.example/', 0,
     "Gagnez 5000€ par mois depuis chez vous !!! Cliquez ici "
     "http://gains-faciles.example/inscription et ici "
     "http://gains-faciles.example/bonus et ici "
     "http://gains-faciles.example/cadeau",
     'spam', 0.99, '3 liens ; mots appris comme indésirables : gagnez, '
     'cliquez, €'),
    ('spam2', None, 'spam', 1.7, 'best replica watches',
     'sales@cheap-watches.example', 'https://cheap-watches.example/', 0,
     "Great post! Very informative. Buy cheap replica watches at "
     "https://cheap-watches.example/ best prices, free shipping worldwide.",
     'spam', 0.98, 'texte en anglais sur un site en français ; mots appris '
     'comme indésirables : replica, cheap, shipping'),
    ('spam3', 'bernard', 'spam', 0.9, 'SEO Expert',
     'rank@seo-top.example', None, 0,
     "I like your blog. I am SEO expert and I can improve your Google "
     "ranking in 7 days. Contact me now for a free audit.",
     'spam', 0.96, 'envoyé 0,8 s après l’affichage du formulaire ; mots '
     'appris comme indésirables : seo, ranking'),
    ('spam4', None, 'spam', 0.2, 'Prêt rapide',
     'credit@pret-rapide.example', None, 0,
     "[url=http://pret-rapide.example]Prêt rapide sans justificatif[/url] "
     "accordé en 24 h, même fiché.",
     'spam', 0.97, 'lien BBCode ; domaine déjà vu dans des indésirables'),
]

IPS = ['192.0.2.14', '198.51.100.23', '203.0.113.7', '2001:db8::42']


def typo(s):
    """French typography: a narrow no-break space before ? ! ; : (and
    inside guillemets), so that they never start a line."""
    for mark in ('?', '!', ';', ':'):
        s = s.replace(' ' + mark, '\u202f' + mark)
    return s.replace('« ', '«\u202f').replace(' »', '\u202f»')


def q(s):
    if s is None:
        return 'NULL'
    return "'" + str(s).replace('\\', '\\\\').replace("'", "\\'") + "'"


def sql_script():
    """The whole discussion as one SQL script (ids through variables)."""
    out = ["INSERT INTO comments_pages (page, title) VALUES (%s, %s) "
           "ON DUPLICATE KEY UPDATE title = VALUES(title);" % (q(PAGE),
                                                                q(TITLE))]
    for n, (key, parent, status, days, author, email, url, notify, text,
            verdict, score, reasons) in enumerate(COMMENTS):
        when = 'UNIX_TIMESTAMP() - %d' % int(days * 86400)
        # IPs older than the retention would have been erased already
        ip = q(IPS[n % len(IPS)]) if days < 30 else 'NULL'
        out.append(
            "INSERT INTO comments (page, parent_id, root_id, status, "
            "status_at, author, email, url, body, created, ip, user_agent, "
            "lang, notify, notified, verdict, score, reasons) VALUES "
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'fr', %d, %d, "
            "%s, %s, %s);" % (
                q(PAGE), '@c_%s' % parent if parent else 'NULL',
                '@r_%s' % parent if parent else '0', q(status), when,
                q(author), q(email), q(url), q(typo(text)), when, ip,
                q('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko Firefox/128.0'),
                notify, status == 'approved', q(verdict), 'NULL' if score is None else score,
                q(reasons)))
        out.append("SET @c_%s = LAST_INSERT_ID();" % key)
        if parent:
            out.append("SET @r_%s = @r_%s;" % (key, parent))
        else:
            out.append("SET @r_%s = @c_%s;" % (key, key))
            out.append("UPDATE comments SET root_id = id WHERE id = @c_%s;"
                       % key)
    for name in ('comments ' + PAGE, 'comments'):
        out.append("INSERT INTO ap_counters (name, value) VALUES (%s, 1) "
                   "ON DUPLICATE KEY UPDATE value = value + 1;" % q(name))
    return '\n'.join(out)


def load(st):
    st.sql(sql_script())
    counts = {}
    for c in COMMENTS:
        counts[c[2]] = counts.get(c[2], 0) + 1
    return ['comments: %d published, %d waiting, %d spam below %s '
            '(moderation: %s/aparte/admin/comments, or aparte-admin '
            'comments list)' % (counts.get('approved', 0),
                                counts.get('pending', 0),
                                counts.get('spam', 0), PAGE, st.base)]
