# A recording stand-in for Vagrant: evaluates a Vagrantfile (ARGV[0]) and prints, as JSON, what it asked
# Vagrant for (machines, their networks, providers and provisioners). No Vagrant, VirtualBox or VM involved.
#   ruby test/vagrant/fake-vagrant.rb Vagrantfile
require 'json'

module FakeVagrant
  # Provider settings: attributes (vb.memory = 512) and customize calls.
  class Provider
    def initialize
      @settings = { 'customize' => [] }
    end

    attr_reader :settings

    def customize(args)
      @settings['customize'] << args.map(&:to_s)
    end

    def method_missing(name, *args)
      key = name.to_s
      return super unless key.end_with?('=') && args.size == 1

      @settings[key.chomp('=')] = args.first
    end

    def respond_to_missing?(name, include_private = false)
      name.to_s.end_with?('=') || super
    end
  end

  # config.vm of the global config or of one machine.
  class VM
    def initialize(config)
      @config = config
      @settings = {}
      @networks = []
      @synced_folders = []
      @providers = {}
      @provisions = []
    end

    attr_reader :settings, :networks, :synced_folders, :providers, :provisions

    def box=(value)
      @settings['box'] = value
    end

    def hostname=(value)
      @settings['hostname'] = value
    end

    def define(name, options = {})
      machine = Config.new
      yield machine if block_given?
      @config.machines << { 'name' => name.to_s, 'options' => options, 'config' => machine }
    end

    def network(type, **options)
      @networks << { 'type' => type.to_s, 'options' => options.transform_keys(&:to_s) }
    end

    def synced_folder(source, destination, **options)
      @synced_folders << { 'source' => source, 'destination' => destination, 'options' => options.transform_keys(&:to_s) }
    end

    def provider(name)
      provider = (@providers[name.to_s] ||= Provider.new)
      yield provider if block_given?
    end

    def provision(name, **options)
      @provisions << { 'name' => name.to_s, 'options' => options.transform_keys(&:to_s) }
    end

    def to_h
      { 'settings' => @settings, 'networks' => @networks, 'syncedFolders' => @synced_folders,
        'providers' => @providers.transform_values(&:settings), 'provisions' => @provisions }
    end
  end

  # A config object (Vagrant.configure's, or a machine's in vm.define).
  class Config
    def initialize
      @machines = []
      @vm = VM.new(self)
    end

    attr_reader :machines, :vm

    def to_h
      { 'vm' => @vm.to_h, 'machines' => @machines.map { |m| { 'name' => m['name'], 'options' => m['options'] }.merge(m['config'].vm.to_h) } }
    end
  end

  ROOT = Config.new
end

module Vagrant
  def self.configure(version)
    raise ArgumentError, "unexpected config version #{version}" unless version.to_s == '2'

    yield FakeVagrant::ROOT
  end
end

load File.expand_path(ARGV.fetch(0))
puts JSON.pretty_generate(FakeVagrant::ROOT.to_h)
