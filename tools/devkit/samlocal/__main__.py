"""`python -m devkit.samlocal`: what `make invoke` runs."""

from devkit.samlocal.invoke import main

if __name__ == "__main__":
    main()
