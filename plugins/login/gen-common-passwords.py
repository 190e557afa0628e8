#!/usr/bin/python3
"""Writes common-passwords.txt: passwords of 12 characters or more that
people pick most often, built from the patterns that dominate published
breach statistics (a word or a first name, then digits, a year or a
symbol; keyboard walks; repetitions; phrases), in French and English.
The login plugin refuses them, whatever their case.  Made here, offline;
run again after editing the lists:

    plugins/login/gen-common-passwords.py > plugins/login/common-passwords.txt
"""
import itertools

WORDS = """
password motdepasse passw0rd motdepass azerty qwerty azertyuiop qwertyuiop
iloveyou jetaime soleil bonjour doudou loulou chouchou marseille paris
lyon toulouse bordeaux nantes football princesse princess sunshine
dragon monkey letmein welcome bienvenue superman batman starwars pokemon
naruto minecraft fortnite chocolat nutella coucou amour monamour
tresor cheval chevaux maison vacances liberte france bretagne
nicolas camille thomas julien alexandre antoine maxime guillaume
sebastien christophe stephanie nathalie isabelle sandrine valerie
celine aurelie caroline virginie sophie emilie laetitia marine
juliette charlotte manon pauline mathilde elodie amandine melanie
jennifer jessica michael daniel matthew andrew joshua christopher
jordan hunter ranger buster tigger charlie summer winter autumn
spring flower orange banana cookie cheese pepper ginger shadow
master killer hello freedom whatever trustno1 secret solo
administrator admin root user utilisateur invite guest test
changeme default service support contact internet computer
ordinateur portable samsung iphone android google facebook
instagram microsoft windows linux ubuntu debian oracle mysql
mariadb wordpress joomla drupal aparte reseau tempspartage
experts expert association partage benevole bureau travail
entreprise societe compta comptable direction secretariat
accueil
""".split()

SUFFIXES = ['', '1', '12', '123', '1234', '12345', '123456', '1234567',
            '!', '!!', '01', '007', '69', '99', '@', '@123', '123!',
            '#1', '2k', '*']
YEARS = [str(y) for y in range(1960, 2031)]

WALKS = """
123456789012 1234567890123 12345678901234 123456789123 1234512345
098765432109 0987654321098 111111111111 000000000000 121212121212
123123123123 112233445566 123412341234 147258369147 159753159753
1q2w3e4r5t6y 1q2w3e4r5t6y7u 1qaz2wsx3edc 1qaz2wsx3edc4rfv
zaq12wsxcde3 zaq1xsw2cde3 qwertyuiopas qwertyuiop12 qwertyuiop123
qwertyuiopasdf qwertyuiopasdfgh asdfghjklzxc asdfghjkl123
azertyuiopqs azertyuiop12 azertyuiop123 azertyuiopqsdf
qsdfghjklmwx wxcvbnqsdfgh aqwzsxedcrfv azqswxedcrfv 1a2z3e4r5t6y
a1z2e3r4t5y6 q1w2e3r4t5y6 abcdefghijkl abcdefghijklm abc123abc123
abcd1234abcd aaaaaaaaaaaa azazazazazaz qwqwqwqwqwqw
""".split()

PHRASES = """
motdepasse123 motdepassemotdepasse jetaimemonamour jetaimeaussi
iloveyou1234 iloveyouforever iloveyoubaby passwordpassword
mypassword123 monmotdepasse monmotdepasse1 monnouveaumotdepasse
nouveaumotdepasse changezmoi changemoi123 changeme1234 letmein12345
welcome12345 bienvenue1234 bonjour12345 administrateur admin12345678
administrator1 rootpassword motdepasseadmin qwertyqwerty
azertyazerty soleil123456 sunshine1234 princesse123 football1234
thequickbrownfox correcthorsebatterystaple allezlom allezlesbleus
vivelafrance jesuischarlie toutvabien onsaitjamais cestlavie
""".split()


def main():
    out = set()
    for w in WORDS:
        for s in SUFFIXES:
            out.add(w + s)
        for y in YEARS:
            out.add(w + y)
            out.add(w + '@' + y)
        out.add(w + w)
    for w in WALKS + PHRASES:
        out.add(w)
        for s in ('1', '!', '123'):
            out.add(w + s)
    for c in 'abcdefghijklmnopqrstuvwxyz0123456789':
        for n in (12, 14, 16):
            out.add(c * n)
    for a, b in itertools.product(('123', '1234', '12345'), ('abc', 'azerty', 'qwerty')):
        out.add(a + b + a)
        out.add(b + a + b)
    keep = sorted(p for p in out if 12 <= len(p) <= 128)
    print('# Common passwords of 12 characters or more (gen-common-passwords.py).')
    print('# One a line, compared without regard to case.')
    for p in keep:
        print(p)


if __name__ == '__main__':
    main()
