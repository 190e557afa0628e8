"""The antispam plugin's demo content: texts the filter learns from on a
fresh demo site, as a moderator would have marked them.  Ham is what the
association's readers write under its articles (in French, a few in
English); spam is what comment forms receive, in French and in English.
Every text is ours; people, firms and sites are fictional (the domains
end in .example or .invalid).  Also used by tools/bench-spam to measure the
filter on comments."""
import os
import tempfile

HAM = [
    "Merci pour cet article très clair. Nous avons fait appel à une DAF à "
    "temps partagé l’an dernier, deux jours par mois, et cela a changé notre "
    "façon de piloter la trésorerie.",
    "Je me reconnais dans le portrait : ancien directeur industriel, je "
    "travaille aujourd’hui pour trois PME en même temps. Le plus difficile "
    "reste de bien découper son agenda.",
    "Bonne question sur la confidentialité. Dans mon cas, chaque client sait "
    "que j’interviens ailleurs, mais jamais chez un concurrent direct ; c’est "
    "écrit dans la lettre de mission.",
    "Article intéressant, mais il manque un mot sur la rémunération : "
    "comment fixez-vous le prix d’une journée quand la mission dure six mois ?",
    "Nous cherchons justement un DSI à temps partagé pour accompagner le "
    "changement de notre logiciel de gestion. Est-ce que le réseau peut "
    "nous mettre en relation ?",
    "Très juste sur la solitude du dirigeant. Avoir quelqu’un d’expérimenté "
    "une journée par semaine, c’est aussi avoir un interlocuteur pour "
    "réfléchir.",
    "J’ai lu l’article avec attention. Pour une association comme la nôtre, "
    "le temps partagé est la seule façon d’avoir une vraie compétence en "
    "ressources humaines.",
    "Merci Claire pour ce retour d’expérience. La partie sur les premières "
    "semaines de la mission m’a beaucoup aidé à préparer mon prochain "
    "démarrage.",
    "Petite précision : le portage salarial n’est pas obligatoire, on peut "
    "aussi facturer en indépendant. Chacun choisit selon sa situation.",
    "Je partage l’avis de l’auteur. Deux mois pour régler un problème précis, "
    "puis on passe le relais à l’équipe : c’est souvent plus efficace qu’un "
    "recrutement.",
    "Est-ce que vous organisez des rencontres entre experts en région ? Je "
    "suis à Lyon et j’aimerais échanger avec d’autres indépendants.",
    "Bravo pour le site du réseau, on trouve facilement les profils. J’ai "
    "contacté deux experts la semaine dernière, réponse dans la journée.",
    "Dans notre PME de quarante personnes, le directeur commercial à temps "
    "partagé a structuré la prospection en trois mois. Je recommande.",
    "L’article oublie un point : il faut que l’équipe en place accepte "
    "l’arrivée d’un expert extérieur. La communication interne compte "
    "beaucoup.",
    "Question pratique : comment gérez-vous les urgences quand vous êtes chez "
    "un autre client ce jour-là ?",
    "Je réponds à la question précédente : nous convenons dès le départ d’un "
    "créneau d’une heure par jour pour les appels, cela suffit presque "
    "toujours.",
    "Merci pour la référence au livre, je ne le connaissais pas. Je le "
    "commande pour la bibliothèque de notre coopérative.",
    "Le témoignage de Marc sur la reprise de l’atelier est passionnant. On "
    "sent que la mission courte a permis de prendre une décision.",
    "Pour compléter : le dispositif est aussi utile pendant une croissance "
    "rapide, quand on n’a pas encore les moyens d’un poste à plein temps.",
    "J’ai partagé l’article avec mon conseil d’administration. Nous en "
    "parlerons à la prochaine réunion, en juin.",
    "Très bon résumé des avantages et des limites. J’apprécie que vous ne "
    "présentiez pas le temps partagé comme une solution miracle.",
    "Quelle durée minimale conseillez-vous pour une mission de direction "
    "financière ? Trois mois me paraît court pour mettre en place un budget.",
    "Trois mois suffisent si l’objectif est précis : clôture des comptes, "
    "tableau de bord, relation avec la banque. Pour le reste, il faut plus.",
    "Je suis experte en qualité et je rejoins le réseau ce mois-ci. Ravie de "
    "lire ces échanges, ils donnent une idée juste du métier.",
    "Une remarque sur la forme : le tableau des tarifs est difficile à lire "
    "sur téléphone. Le fond, lui, est excellent.",
    "Merci, corrigé ! Le tableau s’affiche maintenant en liste sur les petits "
    "écrans.",
    "Nous avons testé la formule avec une responsable logistique une journée "
    "par semaine. Les stocks ont baissé de vingt pour cent en un an.",
    "Cet article tombe à pic, je prépare une intervention sur le sujet pour "
    "la chambre de commerce de ma ville le mois prochain.",
    "Belle synthèse. J’ajouterais que le temps partagé convient aussi aux "
    "experts en fin de carrière qui veulent transmettre sans s’engager à "
    "plein temps.",
    "Je ne suis pas d’accord sur un point : un expert à temps partagé peut "
    "tout à fait encadrer une équipe, à condition d’avoir un relais sur place.",
    "Bonjour, je voudrais savoir si les missions peuvent se faire à "
    "distance. Notre entreprise est en Bretagne et les experts du réseau "
    "semblent surtout à Paris.",
    "Oui, beaucoup de missions se font en partie à distance, avec une "
    "journée sur place par mois. Regardez les profils qui indiquent votre "
    "région.",
    "Le lien vers la charte du réseau ne fonctionne plus, pouvez-vous le "
    "corriger ? Je voulais la relire avant de postuler.",
    "J’ai mis un résumé de notre expérience sur le blog de notre entreprise : "
    "https://atelier-durand.example/blog/temps-partage — merci pour "
    "l’inspiration.",
    "Thank you for the English version of the article. We run a small "
    "company in Brussels and a part-time finance director is exactly what we "
    "need.",
    "Interesting read. In the UK we call it fractional work; it is growing "
    "fast among experienced managers who want more freedom.",
    "Could you add a section about contracts? I am never sure how to write "
    "the scope of a two-month mission.",
    "Great article, and thanks for answering my question last week. The "
    "expert you suggested has started with us on Monday.",
    "Merci pour votre réponse rapide. Je vous écris par le formulaire de "
    "contact pour préciser notre besoin.",
    "La comparaison avec le conseil classique est éclairante : l’expert à "
    "temps partagé met les mains dans le moteur, il ne se contente pas de "
    "recommander.",
    "Nous avons invité deux experts du réseau à notre séminaire annuel. "
    "Leurs exemples concrets ont convaincu le comité de direction.",
    "Merci pour le compte rendu de la soirée. Dommage que je n’aie pas pu "
    "venir, j’espère qu’il y en aura une autre au printemps.",
    "Combien de clients un expert suit-il en même temps, en général ? Trois "
    "ou quatre me semble un maximum pour rester disponible.",
    "Dans mon expérience, trois clients réguliers et une mission courte en "
    "parallèle, c’est l’équilibre qui me convient.",
    "Le témoignage sur la transmission d’entreprise est très touchant. Mon "
    "père a vécu une situation semblable il y a dix ans.",
    "Avez-vous des retours d’entreprises industrielles ? Les exemples cités "
    "concernent surtout les services.",
    "Oui, plusieurs membres interviennent dans l’industrie : maintenance, "
    "achats, amélioration continue. Les fiches du répertoire le précisent.",
    "Le chiffre de soixante pour cent de PME sans directeur financier m’a "
    "surpris. D’où vient cette statistique ?",
    "Je découvre votre association grâce à un ami chef d’entreprise. La "
    "démarche me plaît, je vais lire les autres articles du blog.",
    "Un conseil aux dirigeants qui hésitent : commencez par une mission "
    "courte et bien cadrée, vous verrez vite si la collaboration fonctionne.",
    "Est-il possible de faire appel au réseau pour un remplacement pendant "
    "un congé maternité de six mois ?",
    "Bien sûr, c’est même une demande fréquente. Décrivez le poste dans le "
    "formulaire de demande de mission, nous vous répondrons sous deux jours.",
    "Quel bel article, clair et sans jargon. Je le garde pour le montrer à "
    "mes étudiants en master de gestion.",
    "Hello, I work for a small software company near Geneva. Is there an "
    "English-speaking expert in sales management in the network?",
    "I shared your article with our board. The point about defining the "
    "scope of the mission before the start was very helpful.",
]

SPAM = [
    "Gagnez 5000 euros par mois depuis chez vous, sans expérience ! Cliquez "
    "ici : http://argent-facile.invalid/inscription",
    "Prêt rapide sans justificatif, réponse en 24h, même fiché Banque de "
    "France. Contactez-nous vite sur http://pret-express.invalid",
    "Casino en ligne : bonus de bienvenue de 500 € et 200 tours gratuits. "
    "Jouez maintenant sur [url=http://casino-royal.invalid]notre site[/url]",
    "Achetez des abonnés Instagram et des likes pas chers, livraison "
    "instantanée, paiement sécurisé : http://abonnes-pas-chers.invalid",
    "Référencement premier sur Google garanti en 7 jours ! Backlinks de "
    "qualité, prix imbattables. http://seo-top1.invalid/offre",
    "Montres de luxe répliques à prix d’usine, livraison discrète dans le "
    "monde entier. www.montres-replique.invalid",
    "Investissez dans la crypto avec notre robot de trading : 30 % de "
    "rendement par semaine, gains garantis ! http://crypto-robot.invalid",
    "Rencontres discrètes près de chez vous, inscription gratuite, des "
    "milliers de célibataires vous attendent : http://rencontres-chaudes.invalid",
    "Super article !!! Visitez mon site pour des offres incroyables "
    "http://bonnes-affaires.invalid http://promo-folle.invalid",
    "Perdez 10 kilos en 2 semaines avec notre pilule minceur naturelle, "
    "résultats garantis ou remboursés. Commandez sur http://minceur-top.invalid",
    "Félicitations ! Vous avez gagné un iPhone. Réclamez votre cadeau avant "
    "minuit : http://cadeau-gagnant.invalid/reclamer",
    "Rachat de crédits au meilleur taux, simulation gratuite et sans "
    "engagement, réponse immédiate. [url=http://credit-taux.invalid]ici[/url]",
    "Votre compte sera suspendu. Confirmez vos informations bancaires sur "
    "http://banque-securite.invalid/confirmer dès aujourd’hui.",
    "Devenez riche grâce au marketing de réseau, travaillez deux heures par "
    "jour et gagnez plus que votre patron. Infos : http://liberte-fin.invalid",
    "Médicaments sans ordonnance, pharmacie en ligne pas chère, livraison "
    "rapide et anonyme : http://pharma-discount.invalid",
    "Paris sportifs : nos pronostics gagnants à 95 %, abonnement VIP offert "
    "aujourd’hui seulement. http://prono-vip.invalid",
    "Cheap replica watches and designer bags, free worldwide shipping, best "
    "prices guaranteed! Visit http://replica-store.invalid now",
    "Earn $5000 per week working from home! No experience needed. Click "
    "here: http://easy-cash.invalid/join",
    "Nice post! Check out my website for the best SEO backlinks package, "
    "cheap and fast: http://backlinks-pro.invalid",
    "Buy followers and likes for Instagram and TikTok, instant delivery, "
    "100% safe. [url=http://follower-shop.invalid]Buy now[/url]",
    "Crypto trading signals with 98% accuracy, join our VIP group and double "
    "your bitcoin in a week! http://btc-double.invalid",
    "Payday loans approved in minutes, bad credit OK, no credit check. "
    "Apply today at http://quick-loan.invalid",
    "Hot singles in your area are waiting for you! Sign up free: "
    "http://hot-dates.invalid",
    "Online casino with the biggest jackpot, 300% welcome bonus and free "
    "spins. Play now at http://mega-casino.invalid",
    "Lose weight fast with our natural diet pills, results guaranteed or "
    "your money back! Order at http://slim-fast-pills.invalid",
    "Congratulations, you have won a $1000 gift card! Claim it now before it "
    "expires: http://gift-claim.invalid",
    "I really like your blog. I made a similar one about cheap essays "
    "writing service, please visit http://essay-cheap.invalid thanks",
    "Best VPN deal of the year, 90% off today only!!! Get it at "
    "http://vpn-deal.invalid/promo",
    "Generic pills online, no prescription needed, discreet shipping. Best "
    "pharmacy: http://rx-cheap.invalid",
    "Make money online fast with our proven system, thousands of happy "
    "members earn every day. http://profit-system.invalid",
    "Bonjour, je suis Mme Rose, veuve d’un riche homme d’affaires. Je "
    "souhaite vous léguer 2 500 000 dollars. Répondez-moi vite avec vos "
    "coordonnées bancaires.",
    "Dear friend, I am a lawyer and your late relative left 4.5 million "
    "dollars. Send me your bank details to receive the transfer.",
    "Votre site mérite plus de visiteurs. Nous proposons 10 000 visites "
    "par jour pour seulement 49 € : http://trafic-web.invalid",
    "Essai gratuit de notre crème anti-âge miracle, les rides disparaissent "
    "en 7 jours ! Offre limitée : http://creme-miracle.invalid",
    "Cool article man. Visit my page for free movies streaming HD no "
    "registration http://stream-free.invalid http://films-gratuits.invalid",
    "Félicitations, vous êtes notre grand gagnant du jour ! Récupérez votre "
    "chèque cadeau maintenant : http://gagnant-du-jour.invalid",
    "Vente flash : sacs et chaussures de marque à -80 %, stocks limités, "
    "livraison offerte ce week-end seulement ! http://destockage.invalid",
    "Besoin d’argent rapidement ? Nos prêteurs privés acceptent tous les "
    "profils, fonds versés sous 48 heures : http://preteur-prive.invalid",
    "Voyance gratuite par téléphone, un médium vous répond tout de suite, "
    "amour, travail, argent. Appelez vite !",
    "Agence SEO : nous publions votre lien sur 500 blogs à fort trafic, "
    "résultats garantis en quelques jours. http://liens-blogs.invalid",
    "Optimisez vos gains aux paris en ligne avec notre méthode secrète, "
    "jackpot assuré : http://methode-paris.invalid",
    "Votre colis est en attente de livraison, réglez les frais de 1,99 € "
    "ici pour le recevoir : http://colis-attente.invalid",
    "Achetez des avis clients 5 étoiles pour votre entreprise, livraison "
    "rapide et discrète. http://avis-etoiles.invalid",
    "Formation trading gratuite : devenez rentier en trois mois grâce aux "
    "options binaires, places limitées ! http://rentier-rapide.invalid",
    "Offre exceptionnelle : iPhone reconditionné à 1 € pour les 100 "
    "premiers inscrits, cliquez vite sur http://offre-un-euro.invalid",
    "Limited offer!!! Get rich with our automated forex robot, 100% "
    "profit guaranteed, join thousands of winners http://forex-win.invalid",
    "Great post. By the way, we sell the best CBD oil and gummies online, "
    "discount code inside: http://cbd-shop.invalid",
    "Claim your free trial of our miracle supplement today, doctors hate "
    "this trick! http://miracle-trick.invalid",
    "Looking for a date tonight? Thousands of lonely women near you, "
    "register for free: http://lonely-near.invalid",
    "Buy verified accounts, reviews and backlinks in bulk, cheapest prices "
    "on the market. Contact us on Telegram.",
]


def load(st):
    """Trains the filter of a fresh site with the texts above."""
    tmp = tempfile.mkdtemp(prefix='antispam-demo-', dir=st.run)
    for label, texts in (('ham', HAM), ('spam', SPAM)):
        paths = []
        for i, t in enumerate(texts):
            p = os.path.join(tmp, '%s-%02d.txt' % (label, i))
            with open(p, 'w', encoding='utf-8') as f:
                f.write(t)
            paths.append(p)
        lst = os.path.join(tmp, label + '.list')
        with open(lst, 'w', encoding='utf-8') as f:
            f.write('\n'.join(paths) + '\n')
        st.admin('spam', 'train', label, '--list', lst)
    return ['antispam: the filter learned %d ham and %d spam texts'
            % (len(HAM), len(SPAM))]

# Texts the demo never learns from: what tools/bench-spam judges to see how
# the filter does on comments (ham as readers write them, spam as comment
# forms receive it).
TRIAL = [
    ('ham', "Merci pour ce témoignage. Nous sommes une PME de vingt "
            "salariés et nous hésitons entre un recrutement et un expert à "
            "temps partagé pour la direction financière."),
    ('ham', "Très bon article ! Une question : est-ce que la mission peut "
            "commencer par un audit de deux semaines avant de s’engager "
            "plus longtemps ?"),
    ('ham', "Je suis DRH à temps partagé depuis cinq ans, et je confirme : "
            "le plus important est de bien définir les objectifs dès la "
            "première réunion."),
    ('ham', "L’exemple de l’atelier de menuiserie m’a parlé. Nous avons "
            "vécu la même chose avec notre responsable qualité, partie à la "
            "retraite sans successeur."),
    ('ham', "Bonjour, pouvez-vous m’indiquer comment rejoindre le réseau ? "
            "Je suis directeur des systèmes d’information et j’ai du temps "
            "deux jours par semaine."),
    ('ham', "Article utile, je le transmets à mon associé. On en discute "
            "jeudi avec notre expert-comptable."),
    ('ham', "Je ne savais pas que le temps partagé existait aussi pour les "
            "associations. Bonne nouvelle pour notre fédération sportive !"),
    ('ham', "Le passage sur la confiance est essentiel. Un expert qui "
            "arrive deux jours par mois doit être transparent sur ce qu’il "
            "fait le reste du temps."),
    ('ham', "Bravo à Claire et à toute l’équipe. Nous avons suivi vos "
            "conseils pour le plan de trésorerie et la banque nous a suivis."),
    ('ham', "Petite coquille dans le troisième paragraphe : « deux jours "
            "par mois » et non « deux jours par moi ». Sinon, parfait."),
    ('ham', "Thanks for this article. Do the experts of the network also "
            "work with companies based in Switzerland?"),
    ('ham', "Voici le lien vers la présentation dont je parlais lors de la "
            "rencontre de mars : https://reseau-tp.example/rencontres/mars"),
    ('spam', "Gagnez de l’argent facilement en travaillant deux heures par "
             "jour depuis chez vous, inscription gratuite : "
             "http://revenu-facile.invalid"),
    ('spam', "Super site !! Je recommande notre agence de référencement, "
             "première page Google en une semaine : http://seo-rapide.invalid"),
    ('spam', "Crédit immédiat sans justificatif, même pour les interdits "
             "bancaires, réponse en une heure. [url=http://credit-vite."
             "invalid]Demandez ici[/url]"),
    ('spam', "Découvrez le meilleur casino en ligne français, 1000 € de "
             "bonus et des tours gratuits chaque jour !"),
    ('spam', "Achat de likes et de vues YouTube, livraison en 10 minutes, "
             "prix cassés : http://vues-pas-cheres.invalid"),
    ('spam', "Buy cheap Instagram followers now, real and active, instant "
             "delivery! http://insta-boost.invalid"),
    ('spam', "Work from home and earn $300 a day, no skills needed, click "
             "here to start today http://home-money.invalid"),
    ('spam', "Get the best replica watches, Rolex and Omega at 90% off, "
             "free shipping: http://watch-replica.invalid"),
    ('spam', "Hello, nice blog. I want to share a great crypto investment "
             "opportunity, guaranteed profit every week: "
             "http://crypto-profit.invalid"),
    ('spam', "Perdez du poids sans effort grâce à notre complément naturel, "
             "résultats en 10 jours ou remboursé ! http://mincir-vite.invalid"),
    ('spam', "Vous avez été sélectionné pour gagner un bon d’achat de 500 €, "
             "remplissez le formulaire : http://bon-achat-gratuit.invalid"),
    ('spam', "Cheap essays and homework help, A+ guaranteed, order now at "
             "http://essays-fast.invalid"),
]
