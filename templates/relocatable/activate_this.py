# Made with --relocatable: the environment is where this file is now.
_virtual_env = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
